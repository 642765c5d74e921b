// Writes Brotli (.br) and gzip (.gz) copies beside each file given, at the highest levels: the server sends them to
// browsers that accept them (see Hosting/StaticAssets.cs). Run by the build for the Web Chat bundle, which is large
// and changes only with its npm version, so the slow best compression is paid once per version, not per request.
// Usage: node compress.mjs <file>...
import fs from 'node:fs';
import zlib from 'node:zlib';

for (const file of process.argv.slice(2)) {
  const content = fs.readFileSync(file);
  const brotli = zlib.brotliCompressSync(content, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length
    }
  });
  const gzip = zlib.gzipSync(content, { level: zlib.constants.Z_BEST_COMPRESSION });
  fs.writeFileSync(file + '.br', brotli);
  fs.writeFileSync(file + '.gz', gzip);
  console.log(`${file}: ${content.length} bytes, brotli ${brotli.length}, gzip ${gzip.length}`);
}
