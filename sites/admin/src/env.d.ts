/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    admin: import('./server/admin-context.js').AdminContext;
  }
}
