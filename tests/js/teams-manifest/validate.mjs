// Validates a Teams app manifest against the official JSON schema of its manifestVersion, as shipped in
// @microsoft/app-manifest (offline: no schema is fetched). Prints "valid" or the schema errors; exit code 1 on errors.
// Usage: node validate.mjs <path to manifest.json>
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const manifestPath = process.argv[2];
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const packageRoot = dirname(require.resolve('@microsoft/app-manifest/package.json'));
const schemaPath = join(packageRoot, 'build', 'json-schemas', 'teams', `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json');
if (!existsSync(schemaPath)) {
  console.log(`no schema for manifestVersion ${manifest.manifestVersion}`);
  process.exit(1);
}
const schema = JSON.parse(readFileSync(schemaPath, 'utf8').replace(/^\uFEFF/, ''));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
if (validate(manifest)) {
  console.log(`valid against Teams manifest schema v${manifest.manifestVersion}`);
} else {
  console.log(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
