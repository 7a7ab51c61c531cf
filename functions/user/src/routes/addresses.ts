// /api/users/me/addresses — the caller's addresses (at most 10); only ever the caller's own
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatEtag, newId, Problem, type Queryable, type ServiceEnv } from '@shop/shared';
import type { UserDeps } from '../deps.js';
import { type Address, type AddressFields, MAX_ADDRESSES } from '../domain/profile.js';
import {
  clearDefault,
  countAddresses,
  deleteAddress,
  findAddress,
  findProfile,
  insertAddress,
  isErased,
  listAddresses,
  lockProfile,
  updateAddress,
  updateProfile,
} from '../store.js';
import { checkIfMatch, profileMissing, requireUserId } from './guards.js';
import {
  AddressChangesSchema,
  AddressSchema,
  ETagHeader,
  IdSchema,
  IfMatchHeaders,
  json,
  NewAddressSchema,
  presentAddress,
  problem,
} from './schemas.js';

const IdParams = z.object({ id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

const addressResponse = (description: string) => ({
  description,
  headers: ETagHeader,
  content: { 'application/json': { schema: AddressSchema } },
});

const listMyAddresses = createRoute({
  method: 'get',
  path: '/api/users/me/addresses',
  tags: ['me'],
  summary: 'Your addresses, oldest first',
  responses: {
    200: {
      description: 'Your addresses',
      content: { 'application/json': { schema: z.object({ items: z.array(AddressSchema) }) } },
    },
    401: problem('No identity'),
    404: problem('No profile'),
  },
});

const addAddress = createRoute({
  method: 'post',
  path: '/api/users/me/addresses',
  tags: ['me'],
  summary: `Add an address (at most ${MAX_ADDRESSES})`,
  request: { headers: IfMatchHeaders, body: json(NewAddressSchema) },
  responses: {
    201: {
      ...addressResponse('The new address; ETag is the profile version after the change'),
      headers: { ...ETagHeader, Location: { schema: { type: 'string' as const } } },
    },
    400: problem('Invalid input or an unknown field'),
    401: problem('No identity'),
    404: problem('No profile'),
    412: problem('If-Match names an old version'),
    422: problem(`You already have ${MAX_ADDRESSES} addresses`),
  },
});

const changeAddress = createRoute({
  method: 'patch',
  path: '/api/users/me/addresses/{id}',
  tags: ['me'],
  summary: 'Change some fields of one of your addresses (null clears an optional field)',
  request: { params: IdParams, headers: IfMatchHeaders, body: json(AddressChangesSchema) },
  responses: {
    200: addressResponse('The address after the change'),
    400: problem('Invalid input or an unknown field'),
    401: problem('No identity'),
    404: problem('You have no address with this id'),
    412: problem('If-Match names an old version'),
  },
});

const removeAddress = createRoute({
  method: 'delete',
  path: '/api/users/me/addresses/{id}',
  tags: ['me'],
  summary: 'Delete one of your addresses',
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: {
    204: { description: 'Deleted' },
    401: problem('No identity'),
    404: problem('You have no address with this id'),
    412: problem('If-Match names an old version'),
  },
});

function addressNotFound(id: string): Problem {
  return new Problem(404, `You have no address ${id}.`);
}

/** One default of each kind per user: the address that becomes the default takes it over. */
async function takeOverDefaults(
  tx: Queryable,
  userId: string,
  address: AddressFields & { id: string },
) {
  if (address.isDefaultShipping) await clearDefault(tx, userId, 'shipping', address.id);
  if (address.isDefaultBilling) await clearDefault(tx, userId, 'billing', address.id);
}

/** Registers the address routes; every query is scoped to the caller's user id. */
export function registerAddressRoutes(app: OpenAPIHono<ServiceEnv>, deps: UserDeps): void {
  const { db, clock } = deps;

  /**
   * One change of the caller's addresses: the profile row is locked (so the count limit holds
   * under concurrency), If-Match checked, and the profile version moves with the change.
   */
  async function editAddresses<T>(
    userId: string,
    ifMatch: string | undefined,
    work: (tx: Queryable, now: Date) => Promise<T>,
  ): Promise<{ result: T; version: number }> {
    const outcome = await db.transaction(async (tx) => {
      const current = await lockProfile(tx, userId);
      if (!current) return undefined;
      checkIfMatch(ifMatch, current.version);
      const now = clock();
      const result = await work(tx, now);
      const updated = await updateProfile(tx, userId, {}, now);
      return { result, version: updated.version };
    });
    if (!outcome) throw profileMissing(await isErased(db, userId));
    return outcome;
  }

  app.openapi(listMyAddresses, async (c) => {
    const userId = requireUserId(c);
    if (!(await findProfile(db, userId))) throw profileMissing(await isErased(db, userId));
    const items = (await listAddresses(db, userId)).map(presentAddress);
    return c.json({ items }, 200);
  });

  app.openapi(addAddress, async (c) => {
    const userId = requireUserId(c);
    const body = c.req.valid('json');
    const { result, version } = await editAddresses(
      userId,
      c.req.valid('header')['if-match'],
      async (tx, now) => {
        if ((await countAddresses(tx, userId)) >= MAX_ADDRESSES) {
          throw new Problem(
            422,
            `You can keep at most ${MAX_ADDRESSES} addresses; delete one first.`,
            {
              type: 'https://shop.example/problems/address-limit',
            },
          );
        }
        const fields: AddressFields = {
          label: body.label ?? null,
          name: body.name,
          line1: body.line1,
          line2: body.line2 ?? null,
          postalCode: body.postalCode,
          city: body.city,
          region: body.region ?? null,
          country: body.country,
          phone: body.phone ?? null,
          isDefaultShipping: body.isDefaultShipping ?? false,
          isDefaultBilling: body.isDefaultBilling ?? false,
        };
        const id = newId();
        await takeOverDefaults(tx, userId, { ...fields, id });
        return insertAddress(tx, userId, id, fields, now);
      },
    );
    return c.json(presentAddress(result), 201, {
      ETag: formatEtag(version),
      Location: `/api/users/me/addresses/${result.id}`,
    });
  });

  app.openapi(changeAddress, async (c) => {
    const userId = requireUserId(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { result, version } = await editAddresses(
      userId,
      c.req.valid('header')['if-match'],
      async (tx, now): Promise<Address> => {
        const current = await findAddress(tx, userId, id);
        if (!current) throw addressNotFound(id);
        const fields: AddressFields = {
          label: body.label === undefined ? current.label : body.label,
          name: body.name ?? current.name,
          line1: body.line1 ?? current.line1,
          line2: body.line2 === undefined ? current.line2 : body.line2,
          postalCode: body.postalCode ?? current.postalCode,
          city: body.city ?? current.city,
          region: body.region === undefined ? current.region : body.region,
          country: body.country ?? current.country,
          phone: body.phone === undefined ? current.phone : body.phone,
          isDefaultShipping: body.isDefaultShipping ?? current.isDefaultShipping,
          isDefaultBilling: body.isDefaultBilling ?? current.isDefaultBilling,
        };
        await takeOverDefaults(tx, userId, { ...fields, id });
        const updated = await updateAddress(tx, userId, id, fields, now);
        if (!updated) throw addressNotFound(id);
        return updated;
      },
    );
    return c.json(presentAddress(result), 200, { ETag: formatEtag(version) });
  });

  app.openapi(removeAddress, async (c) => {
    const userId = requireUserId(c);
    const { id } = c.req.valid('param');
    const { version } = await editAddresses(
      userId,
      c.req.valid('header')['if-match'],
      async (tx) => {
        if (!(await deleteAddress(tx, userId, id))) throw addressNotFound(id);
      },
    );
    return c.body(null, 204, { ETag: formatEtag(version) });
  });
}
