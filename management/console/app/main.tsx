// Entry of the console bundle: styles and the app, mounted on #app of index.html.
import './styles.css';
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
