/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The visitor of an on-demand page (set by the middleware; absent while prerendering). */
    visitor?: { id: string; isNew: boolean };
  }
}
