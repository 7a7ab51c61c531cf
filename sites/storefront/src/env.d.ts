/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    shop: import('./server/shop-context.js').ShopContext;
  }
}
