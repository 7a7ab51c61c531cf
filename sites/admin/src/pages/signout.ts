// POST /signout — end the session at auth and here
import type { APIRoute } from 'astro';
import { signOut } from '../server/sign-in.js';

export const POST: APIRoute = async ({ locals }) => {
  await signOut(locals.admin);
  return new Response(null, { status: 303, headers: { location: locals.admin.href('/signin') } });
};
