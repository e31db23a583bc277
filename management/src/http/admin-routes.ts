// Admin API routes (/v1/admin/*, behind the admin token): onboarding packages, policies, groups, assignments, devices,
// key rotation.
// Handlers only translate HTTP to service calls; decisions live in ../service/.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { settingsCatalog } from '../service/catalog.js';
import type { ServiceContext } from '../service/context.js';
import { requestDeviceKeyRotation, rotateSigningKey, signingKeyState } from '../service/device-keys.js';
import { parseDeviceListQuery } from '../service/device-list-query.js';
import { getDashboard, listDevicePage } from '../service/device-listing.js';
import { deleteDevice, getDevice, getDeviceEvents, getDeviceStatus, listDevices, requestSync, revokeDevice } from '../service/directory.js';
import { createOnboardingPackage } from '../service/enrollment.js';
import { previewGroupRule } from '../service/group-preview.js';
import {
  addGroupMember,
  changeDeviceTags,
  createAssignment,
  createGroup,
  deleteGroup,
  removeAssignment,
  removeGroupMember,
  setGroupRule,
} from '../service/groups.js';
import { listOnboardingPackages, revokeOnboardingPackage } from '../service/onboarding-packages.js';
import { createPolicy, deletePolicy, listPolicies, policySummary, updatePolicy } from '../service/policies.js';
import { getPolicySettingDevices, getPolicyStatus } from '../service/policy-status.js';
import { whatIf } from '../service/what-if.js';

type IdParams = { Params: { id: string } };
type MemberParams = { Params: { id: string; deviceId: string } };
type ForceQuery = { Params: { id: string }; Querystring: { force?: string } };

/** `?force=true` (or `1`); anything else but absent or `false`/`0` is refused, so a typo never forces. */
function forceFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new AttacheError('QUERY_INVALID', `query parameter force must be true or false, got "${value}"`);
}

/** The requesting admin's scope groups (null = every device, also before named admins exist). */
const scopeOf = (req: FastifyRequest): readonly string[] | null => req.admin?.scopeGroupIds ?? null;

/** Registers every admin route on `app`, the /v1/admin scope. */
export function registerAdminRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/onboarding-packages', async (req, reply) => reply.code(201).send(await createOnboardingPackage(ctx, req.body)));
  app.get('/onboarding-packages', async () => listOnboardingPackages(ctx));
  app.post<IdParams>('/onboarding-packages/:id/revoke', async (req) => revokeOnboardingPackage(ctx, req.params.id));

  app.post('/policies', async (req, reply) => reply.code(201).send(await createPolicy(ctx, req.body)));
  app.put<IdParams>('/policies/:id', async (req) => updatePolicy(ctx, req.params.id, req.body));
  app.get('/policies', async () => listPolicies(ctx));
  app.get<IdParams>('/policies/:id', async (req) => {
    const record = await ctx.store.getPolicy(req.params.id);
    if (!record) throw new AttacheError('NOT_FOUND', `policy ${req.params.id} does not exist`);
    return policySummary(record);
  });
  app.delete<IdParams>('/policies/:id', async (req, reply) => {
    await deletePolicy(ctx, req.params.id);
    return reply.code(204).send();
  });
  app.get<IdParams & { Querystring: Record<string, unknown> }>(
    '/policies/:id/status',
    async (req) => (await getPolicySettingDevices(ctx, req.params.id, req.query, scopeOf(req))) ?? getPolicyStatus(ctx, req.params.id, scopeOf(req)),
  );
  app.post('/what-if', async (req) => whatIf(ctx, req.body, scopeOf(req)));

  app.post('/groups', async (req, reply) => reply.code(201).send(await createGroup(ctx, req.body)));
  app.get('/groups', async () => ctx.store.listGroups());
  app.put<IdParams>('/groups/:id/rule', async (req) => setGroupRule(ctx, req.params.id, req.body));
  app.post<{ Querystring: Record<string, unknown> }>('/groups/preview', async (req) => previewGroupRule(ctx, req.body, req.query, scopeOf(req)));
  app.post<IdParams>('/groups/:id/members', async (req, reply) => {
    await addGroupMember(ctx, req.params.id, req.body);
    return reply.code(204).send();
  });
  app.delete<ForceQuery>('/groups/:id', async (req) => deleteGroup(ctx, req.params.id, forceFlag(req.query.force)));
  app.delete<MemberParams>('/groups/:id/members/:deviceId', async (req, reply) => {
    await removeGroupMember(ctx, req.params.id, req.params.deviceId);
    return reply.code(204).send();
  });

  app.post('/assignments', async (req, reply) => reply.code(201).send(await createAssignment(ctx, req.body)));
  app.get('/assignments', async () => ({ assignments: await ctx.store.listAssignments() }));
  app.delete<IdParams>('/assignments/:id', async (req, reply) => {
    await removeAssignment(ctx, req.params.id);
    return reply.code(204).send();
  });

  app.get<{ Querystring: Record<string, unknown> }>('/devices', async (req) => {
    const request = parseDeviceListQuery(req.query);
    return request ? listDevicePage(ctx, request, scopeOf(req)) : listDevices(ctx, scopeOf(req));
  });
  app.get('/dashboard', async (req) => getDashboard(ctx, scopeOf(req)));
  app.get('/catalog', async () => settingsCatalog());
  app.get<IdParams>('/devices/:id', async (req) => getDevice(ctx, req.params.id));
  app.get<IdParams>('/devices/:id/status', async (req) => getDeviceStatus(ctx, req.params.id));
  app.get<IdParams>('/devices/:id/events', async (req) => getDeviceEvents(ctx, req.params.id));
  app.post<IdParams>('/devices/:id/tags', async (req) => changeDeviceTags(ctx, req.params.id, req.body));
  app.post<IdParams>('/devices/:id/sync', async (req, reply) => reply.code(202).send(await requestSync(ctx, req.params.id)));
  app.post<IdParams>('/devices/:id/revoke', async (req, reply) => {
    await revokeDevice(ctx, req.params.id);
    return reply.code(204).send();
  });
  app.delete<IdParams>('/devices/:id', async (req, reply) => {
    await deleteDevice(ctx, req.params.id);
    return reply.code(204).send();
  });
  app.post<IdParams>('/devices/:id/rotate-key', async (req, reply) => reply.code(202).send(await requestDeviceKeyRotation(ctx, req.params.id)));

  app.get('/signing-key', async () => signingKeyState(ctx));
  app.post('/signing-key/rotate', async (req, reply) => reply.code(201).send(await rotateSigningKey(ctx, req.body)));
}
