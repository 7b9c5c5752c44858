// PostGraphile 5 over the Nexus tables (bench/run.py starts it with Node 22).
// Only the hub's read tables are exposed; many-to-many for challenge technologies.
import { PgManyToManyPreset } from "@graphile-contrib/pg-many-to-many";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgManyToManyPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolMaxSize: 10,
    }),
  ],
  grafserv: { port: Number(process.env.PORT || 5678), graphiql: false },
  grafast: { explain: false },
  schema: { dontSwallowErrors: true },
  gather: { pgFakeConstraintsAutofixForeignKeyUniqueness: true },
};

export default preset;
