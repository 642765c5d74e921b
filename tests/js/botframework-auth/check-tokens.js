// Validates channel tokens with the Bot Framework SDK for JavaScript (botframework-connector), the reference the
// bot's own validator is compared with. Input: a JSON file
//   {"openIdMetadataUrl": "...", "appId": "...", "cases": [{"name", "authorization", "serviceUrl", "channelId"}]}
// Output: one JSON array on stdout, [{"name", "accepted", "error"}], in the order of the cases.
'use strict';
const fs = require('node:fs');
// The two modules are loaded directly: the package's index also loads the Azure HTTP pipeline, which needs a
// Node.js that can require() ES modules.
const { ChannelValidation } = require('botframework-connector/lib/auth/channelValidation');
const { SimpleCredentialProvider } = require('botframework-connector/lib/auth/credentialProvider');

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  ChannelValidation.OpenIdMetadataEndpoint = input.openIdMetadataUrl;
  const credentials = new SimpleCredentialProvider(input.appId, '');
  const results = [];
  for (const c of input.cases) {
    try {
      await ChannelValidation.authenticateChannelTokenWithServiceUrl(c.authorization || '', credentials, c.serviceUrl, c.channelId);
      results.push({ name: c.name, accepted: true, error: null });
    } catch (error) {
      results.push({ name: c.name, accepted: false, error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
