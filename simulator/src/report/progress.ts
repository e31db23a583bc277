// The live progress line on a terminal (stderr): phase, a bar, and the fleet's state. Silent when stderr is not a
// TTY (CI, pipes), where only the final summary is printed. Details and notes (step labels, host errors) are escaped
// with terminal-text.ts: only the bar's own cursor codes reach the terminal.
import { systemClock } from '../../../common/clock.js';
import { terminalCell, terminalText } from '../../../common/terminal-text.js';

/** What the bar shows; `fraction` drives the bar. */
export interface ProgressState {
  readonly phase: string;
  readonly fraction: number;
  readonly detail: string;
}

export interface Progress {
  update(state: ProgressState): void;
  /** A line above the bar (step started, fault injected); on a non-TTY only with verbose. */
  note(message: string): void;
  done(): void;
}

const WIDTH = 24;

/** The terminal progress bar, or a quiet one. `verbose` prints notes even without a TTY. */
export function createProgress(stream: NodeJS.WriteStream, options: { verbose: boolean }): Progress {
  if (!stream.isTTY) {
    // Without a terminal, verbose runs print the state every 10 s instead of redrawing a bar.
    let lastLine = 0;
    return {
      update: (state) => {
        if (!options.verbose || systemClock.now() - lastLine < 10_000) return;
        lastLine = systemClock.now();
        stream.write(`  [${state.phase} ${(state.fraction * 100).toFixed(0)}%] ${terminalCell(state.detail)}\n`);
      },
      note: (message) => {
        if (options.verbose) stream.write(`${terminalText(message)}\n`);
      },
      done: () => {},
    };
  }
  let last = '';
  const started = systemClock.now();
  const clear = () => stream.write('\r\x1b[2K');
  return {
    update(state) {
      const filled = Math.round(Math.max(0, Math.min(1, state.fraction)) * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      const seconds = ((systemClock.now() - started) / 1000).toFixed(0).padStart(4);
      const line = `${seconds}s ${state.phase.padEnd(9)} ${bar} ${(state.fraction * 100).toFixed(0).padStart(3)}%  ${terminalCell(state.detail)}`;
      const width = stream.columns ?? 120;
      last = line.slice(0, width - 1);
      clear();
      stream.write(last);
    },
    note(message) {
      clear();
      stream.write(`${terminalText(message)}\n${last}`);
    },
    done() {
      clear();
    },
  };
}
