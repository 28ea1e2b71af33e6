import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { auditListResponseSchema, auditQuerySchema, auditVerifyResponseSchema } from '../../../contracts/audit';
import { requireAccess, type Actor } from '../access/engine';
import type { Platform } from '../context';
import { actorOf, policyAccess } from '../http/access';
import { invalidField } from '../http/errors';
import { loadVisibleOrg, subtreeIds } from '../tenancy/service';
import { auditPolicy } from './policy';
import { iterateAudit, listAudit, verifyAuditChain, type AuditFilter } from './service';
import { attachment } from '../http/download';

const tags = ['audit'];
const parisTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' });

/** The filter a person may use: an administrator sees everything, others their organisation's subtree. */
async function scopedFilter(platform: Platform, actor: Actor, q: z.infer<typeof auditQuerySchema>): Promise<AuditFilter> {
  if (q.from && q.to && q.from > q.to) throw invalidField('to', 'La date de fin doit suivre la date de début.');
  const orgId = q.orgId ?? (actor.platformAdmin ? undefined : actor.activeOrgId ?? undefined);
  const org = orgId ? await loadVisibleOrg(platform.db, actor, orgId) : null;
  requireAccess(actor, auditPolicy, 'log.read', org);
  return {
    orgIds: org ? await subtreeIds(platform.db, [org.orgId]) : undefined,
    action: q.action,
    actor: q.actor,
    outcome: q.outcome,
    from: q.from,
    to: q.to,
  };
}

export async function auditRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/audit', {
    config: { access: policyAccess(auditPolicy, 'log.read') },
    schema: { tags, summary: 'Journal d’audit filtré', querystring: auditQuerySchema, response: { 200: auditListResponseSchema } },
    handler: async (request) => {
      const filter = await scopedFilter(platform, actorOf(request), request.query);
      const { entries, total } = await listAudit(platform.db, filter, request.query.page, request.query.pageSize);
      return {
        entries: entries.map(({ prevHash: _p, hash: _h, ...e }) => ({ ...e, at: e.at.toISOString() })),
        total,
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    },
  });

  r.get('/audit/export.csv', {
    config: { access: policyAccess(auditPolicy, 'log.read') },
    schema: { tags, summary: 'Export CSV du journal d’audit (mêmes filtres)', querystring: auditQuerySchema },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const filter = await scopedFilter(platform, actor, request.query);
      await platform.audit({ action: 'audit.exported', actorId: actor.userId, actorLabel: actor.email, orgId: actor.activeOrgId, ip: request.ip, details: { filter: request.query } });
      const csv = stringify({ delimiter: ';', bom: true, header: true, columns: ['numéro', 'date (Paris)', 'date (UTC)', 'auteur', 'action', 'résultat', 'cible', 'identifiant cible', 'organisation', 'adresse IP', 'détails', 'empreinte'] });
      (async () => {
        try {
          for await (const e of iterateAudit(platform.db, filter)) {
            const ok = csv.write([e.seq, parisTime.format(e.at), e.at.toISOString(), e.actorLabel ?? '', e.action, e.outcome, e.targetType ?? '', e.targetId ?? '', e.orgId ?? '', e.ip ?? '', JSON.stringify(e.details), e.hash]);
            if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
          }
          csv.end();
        } catch (err) {
          csv.destroy(err as Error);
        }
      })();
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment('journal-audit-hygie.csv'))
        .send(csv);
    },
  });

  r.get('/audit/verify', {
    config: { access: policyAccess(auditPolicy, 'log.verify') },
    schema: { tags, summary: 'Vérifier que le journal n’a pas été altéré', response: { 200: auditVerifyResponseSchema } },
    handler: async (request) => {
      const actor = actorOf(request);
      requireAccess(actor, auditPolicy, 'log.verify', null);
      const result = await verifyAuditChain(platform.db);
      await platform.audit({ action: 'audit.verified', outcome: result.valid ? 'success' : 'failure', actorId: actor.userId, actorLabel: actor.email, orgId: actor.activeOrgId, ip: request.ip, details: { checked: result.checked, brokenAt: result.brokenAt } });
      return result;
    },
  });
}
