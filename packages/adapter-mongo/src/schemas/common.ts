import { type Query, Schema, type SchemaOptions } from 'mongoose';

/**
 * Id fields hold an ObjectId or, for ids that are not ObjectIds, the string itself (see ids.ts),
 * so they are `Mixed`: Mongoose never casts them (no CastError on a malformed id); the adapter
 * converts at the boundary.
 */
export const IdType = Schema.Types.Mixed;

/**
 * Options shared by every collection. Indexes and collections are created explicitly by the store
 * (`autoIndex`/`autoCreate` off here so that merely compiling a model never talks to the server),
 * filters naming unknown paths throw instead of matching everything, and no command waits in
 * Mongoose's buffer while the database is down: it fails fast and the store answers
 * STORE_UNAVAILABLE.
 */
export function collectionOptions(collection: string): SchemaOptions {
  return {
    collection,
    autoIndex: false,
    autoCreate: false,
    bufferCommands: false,
    strict: true,
    strictQuery: 'throw',
    versionKey: false,
    id: false,
    minimize: false,
  };
}

/** Query operations whose filters are sanitized. */
const FILTERED_QUERIES = [
  'countDocuments',
  'deleteMany',
  'deleteOne',
  'distinct',
  'find',
  'findOne',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndUpdate',
  'replaceOne',
  'updateMany',
  'updateOne',
] as const;

/**
 * Turns on Mongoose's `sanitizeFilter` for every query of the schema, on whatever connection it
 * runs (the host's included, without changing the host's own settings): a value that looks like a
 * query selector is matched literally (`$eq`). The adapter's own operators go through
 * `mongoose.trusted()`.
 */
export function sanitizeQueries(schema: Schema): Schema {
  for (const name of FILTERED_QUERIES) {
    schema.pre(name, { query: true, document: false }, function (this: Query<unknown, unknown>) {
      this.setOptions({ sanitizeFilter: true });
    });
  }
  return schema;
}
