// The bench catalog: the offer demo seed plus generated products in the same categories and
// vocabulary, so full-text search ranks hundreds of matches rather than a handful.
import { type Database, newId } from '@shop/shared';

/** Searches the bench rotates over: words and pairs a shopper would type, all in the seed. */
export const SEARCHES: readonly string[] = [
  'coffee',
  'wool',
  'wireless headphones',
  'camping',
  'desk lamp',
  'waterproof',
  'puzzle',
  'cast iron',
];

/** Searches narrowed to a category (`?q=…&category=…`). */
export const CATEGORY_SEARCHES: readonly { q: string; category: string }[] = [
  { q: 'wool', category: 'apparel' },
  { q: 'wireless', category: 'audio' },
  { q: 'oak', category: 'home-office' },
];

interface Vocabulary {
  adjectives: string[];
  nouns: string[];
  phrases: string[];
}

// Words shared with src/seed-data.ts of the offer function, so searches hit both.
const VOCABULARY: Record<string, Vocabulary> = {
  kitchen: {
    adjectives: ['Cast Iron', 'Stainless Steel', 'Ceramic', 'Bamboo', 'Copper', 'Enamel', 'Oak'],
    nouns: [
      'Skillet',
      'Kettle',
      'Knife',
      'Cutting Board',
      'Dutch Oven',
      'Coffee Grinder',
      'Saucepan',
    ],
    phrases: [
      'Brews rich coffee on gas or electric hobs.',
      'Even heat for searing steaks and baking bread.',
      'Dishwasher safe and gentle on knife edges.',
      'Pre-seasoned cast iron that goes from hob to oven.',
    ],
  },
  outdoor: {
    adjectives: ['Ultralight', 'Waterproof', 'Insulated', 'Compact', 'Folding', 'Rechargeable'],
    nouns: [
      'Tent',
      'Sleeping Bag',
      'Backpack',
      'Headlamp',
      'Camping Stove',
      'Water Bottle',
      'Hammock',
    ],
    phrases: [
      'Made for camping trips and long hikes.',
      'Packs small and weighs little in the backpack.',
      'Waterproof seams keep the rain out.',
      'Boils a litre of water for coffee in minutes.',
    ],
  },
  books: {
    adjectives: ['Illustrated', 'Pocket', 'Hardcover', 'Paperback', 'Collected'],
    nouns: ['Cookbook', 'Field Guide', 'Novel', 'Trail Guide', 'Atlas', 'Story Collection'],
    phrases: [
      'Recipes from sourdough bread to the perfect coffee.',
      'Day hikes and camping routes with maps.',
      'A quiet novel about a lighthouse keeper.',
      'Knitting patterns for wool sweaters and socks.',
    ],
  },
  audio: {
    adjectives: ['Wireless', 'Bluetooth', 'Portable', 'Noise-Cancelling', 'Studio', 'Walnut'],
    nouns: ['Headphones', 'Speaker', 'Earbuds', 'Turntable', 'Microphone', 'Amplifier'],
    phrases: [
      'Thirty hours of wireless playback on one charge.',
      'Deep bass from a compact waterproof body.',
      'Walnut veneer cabinet and a built-in preamp.',
      'Clear voice for podcasts and video calls.',
    ],
  },
  'home-office': {
    adjectives: ['Standing', 'Ergonomic', 'LED', 'Mechanical', 'Wool Felt', 'Oak'],
    nouns: ['Desk', 'Office Chair', 'Desk Lamp', 'Keyboard', 'Desk Mat', 'Monitor Arm', 'Notebook'],
    phrases: [
      'Adjustable height with an oak-look top.',
      'Dimmable LED light with a USB charging port.',
      'Merino wool felt quiets the keyboard.',
      'Built for long working days at the desk.',
    ],
  },
  apparel: {
    adjectives: ['Merino Wool', 'Organic Cotton', 'Linen', 'Denim', 'Waterproof', 'Recycled Wool'],
    nouns: [
      'Sweater',
      'T-Shirt',
      'Rain Jacket',
      'Jeans',
      'Hiking Socks',
      'Shirt',
      'Beanie',
      'Scarf',
    ],
    phrases: [
      'Soft merino wool, warm without bulk.',
      'Breathable and waterproof with taped seams.',
      'Relaxed fit in organic cotton, pre-shrunk.',
      'Keeps feet dry on long camping walks.',
    ],
  },
  toys: {
    adjectives: ['Wooden', 'Magnetic', 'Family', 'Kids', 'Deluxe', 'Recycled'],
    nouns: [
      'Train Set',
      'Jigsaw Puzzle',
      'Building Blocks',
      'Board Game',
      'Marble Run',
      'Telescope',
    ],
    phrases: [
      'A thousand-piece puzzle on thick recycled card.',
      'Beech wood pieces for ages three and up.',
      'Quick rules, long evenings of family play.',
      'Magnetic parts that click together.',
    ],
  },
};

/** mulberry32: the same catalog on every run, so runs stay comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  priceAmount: number;
  stock: number;
  status: 'active' | 'archived';
  createdAt: Date;
}

/**
 * `count` products over the seed's categories, deterministic but for ids; one in 20 archived.
 * @example generateProducts(2)[0] // { slug: 'bench-0-copper-knife', name: 'Copper Knife No. 1', … }
 */
export function generateProducts(count: number): GeneratedProduct[] {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const categories = Object.keys(VOCABULARY);
  const start = Date.parse('2024-01-01T00:00:00Z');
  const span = Date.parse('2025-06-01T00:00:00Z') - start;
  return Array.from({ length: count }, (_, i) => {
    const category = categories[i % categories.length] as string;
    const words = VOCABULARY[category] as Vocabulary;
    const name = `${pick(words.adjectives)} ${pick(words.nouns)}`;
    const slug = `bench-${i}-${name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`;
    return {
      id: newId(),
      slug,
      name: `${name} No. ${i + 1}`,
      description: `${pick(words.phrases)} ${pick(words.phrases)}`,
      category,
      priceAmount: 500 + Math.floor(next() * 300) * 100 + 95,
      stock: Math.floor(next() * 60),
      status: i % 20 === 19 ? 'archived' : 'active',
      createdAt: new Date(start + Math.floor(next() * span)),
    };
  });
}

/** Inserts generated products in batches of 1,000 (`ON CONFLICT DO NOTHING`); returns how many went in. */
export async function insertProducts(db: Database, products: readonly GeneratedProduct[]) {
  let inserted = 0;
  for (let i = 0; i < products.length; i += 1000) {
    const batch = products.slice(i, i + 1000);
    const column = <K extends keyof GeneratedProduct>(key: K) => batch.map((p) => p[key]);
    const { rowCount } = await db.query(
      `INSERT INTO offer.product (id, slug, name, description, category, price_amount, currency,
         images, stock, status, created_at, updated_at)
       SELECT id, slug, name, description, category, price_amount, 'EUR',
         ARRAY['https://picsum.photos/seed/' || slug || '/800/800'], stock, status, created_at, created_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
         $7::int[], $8::text[], $9::timestamptz[])
         AS t(id, slug, name, description, category, price_amount, stock, status, created_at)
       ON CONFLICT DO NOTHING`,
      [
        column('id'),
        column('slug'),
        column('name'),
        column('description'),
        column('category'),
        column('priceAmount'),
        column('stock'),
        column('status'),
        column('createdAt'),
      ],
    );
    inserted += rowCount;
  }
  return inserted;
}
