/**
 * `GET /api/v1/objects/download`: the signed download links of the storage
 * module (modules/storage/links.ts). Public: the link is the credential, so
 * it takes no token or session. The link is checked, the download recorded
 * in the object's workspace (`object.downloaded`, committed before the first
 * byte), and the object opened with the workspace's key as it streams.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorBody } from '../http/route-schema.js';
import { DOWNLOAD_PATH, type Storage } from '../modules/storage/index.js';

const query = z.strictObject({
  key: z.string().min(1).max(1024),
  expires: z.string().max(20),
  signature: z.string().max(100),
});

export function registerObjectRoutes(app: FastifyInstance, storage: Storage): void {
  app.get(
    DOWNLOAD_PATH,
    {
      config: { access: { kind: 'public' } },
      schema: {
        summary:
          'Download a stored object through a signed link (public: the link is the credential)',
        description:
          "The link (key, expiry, HMAC signature) is made by Wardroom and lasts at most 7 days. Each download is an `object.downloaded` audit event in the object's workspace. Error codes: link_invalid, link_expired, not_found, workspace_shredded, validation_failed, storage_unavailable.",
        tags: ['storage'],
        security: [],
        querystring: query,
        response: {
          200: z.string().describe('the object, application/octet-stream'),
          400: errorBody,
          403: errorBody,
          404: errorBody,
          410: errorBody,
          503: errorBody,
        },
      },
    },
    async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      const download = await storage.download(request.query as z.infer<typeof query>, {
        correlationId: request.id,
        ip: request.ip,
        ...(userAgent === undefined ? {} : { userAgent }),
      });
      return reply
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${download.fileName}"`)
        .send(download.body);
    },
  );
}
