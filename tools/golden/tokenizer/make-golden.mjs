// Writes tests/ChatAdvisor.Core.Tests/Embeddings/Golden/wordpiece-golden.json: the token ids that
// @huggingface/transformers produces for a varied set of texts with the all-MiniLM-L6-v2 tokenizer
// (the standard bert-base-uncased vocabulary). The product's tokenizer (ML.Tokenizers' WordPiece behind our BERT normalisation) must reproduce every id.
//
// Usage: node make-golden.mjs [django html folder] [flask html folder]
//   The tokenizer files come from tests/Fixtures/models/all-MiniLM-L6-v2, the articles as collected from
//   tests/ChatAdvisor.Core.Tests/Ingestion/RawArticles.
//   The documentation folders come from Debian's python-django-doc and python-flask-doc packages.
import { AutoTokenizer, env } from '@huggingface/transformers';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repository = path.join(here, '..', '..', '..');
const models = path.join(repository, 'tests', 'Fixtures', 'models');
const articles = path.join(repository, 'tests', 'ChatAdvisor.Core.Tests', 'Ingestion', 'RawArticles');
const djangoDocs = process.argv[2] ?? '/usr/share/doc/python-django-doc/html';
const flaskDocs = process.argv[3] ?? '/usr/share/doc/python-flask-doc/html';
const output = path.join(here, '..', '..', '..', 'tests', 'ChatAdvisor.Core.Tests', 'Embeddings', 'Golden', 'wordpiece-golden.json');

// Long texts are cut at this many UTF-16 code units (at a space when there is one) to keep the file small;
// the tokenizer sees exactly the stored text, so the cut does not weaken the comparison.
const maxChars = 1200;

env.allowRemoteModels = false;
env.localModelPath = models;
const tokenizer = await AutoTokenizer.from_pretrained('all-MiniLM-L6-v2');

function cut(text) {
  if (text.length <= maxChars) return text;
  const space = text.lastIndexOf(' ', maxChars);
  let end = space > maxChars / 2 ? space : maxChars;
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return text.slice(0, end);
}

function paragraphs(text) {
  return text.split(/\n\s*\n/).map(p => p.trim()).filter(p => p.length > 0);
}

function decodeEntities(text) {
  return text
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

// Paragraph and code-block text of every HTML page under a folder, in a stable order.
function htmlParagraphs(folder) {
  if (!fs.existsSync(folder)) throw new Error(`${folder} is missing: apt-get install python-django-doc python-flask-doc`);
  const files = fs.readdirSync(folder, { recursive: true })
    .filter(f => f.endsWith('.html') && !f.includes('_modules') && !f.includes('genindex'))
    .sort();
  const result = [];
  for (const file of files) {
    const html = fs.readFileSync(path.join(folder, file), 'utf8');
    for (const m of html.matchAll(/<(p|pre|dt|li)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      const text = decodeEntities(m[2].replace(/<[^>]+>/g, '')).trim();
      if (text.length >= 20) result.push(text);
    }
  }
  return result;
}

// Every n-th item so that the sample spans the whole documentation, not its first pages.
function spread(items, count) {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]);
}

const edgeCases = [
  '', ' ', '   \t\n  ', '\n', 'a', 'A', '.', '...', '!?', '##', '##ing', 'hello world', 'Hello, World!',
  'flag embedding', 'HELLO WORLD', 'Café crème brûlée', 'naïve façade coöperate résumé', 'Ångström Øresund Ærø',
  'Ñandú jalapeño piñata', 'İstanbul ıi İI', 'ΣΟΦΟΣ σοφός Σ', 'Straße STRASSE ß ẞ', 'ǅ ǈ ǋ ǲ', 'ﬁne ﬂow ﬀ',
  'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ１２３', 'Ⅻ ① ② ⑽ ²³ ½ ¼', 'e\u0301 a\u0300 o\u0308 n\u0303', 'a\u0336b\u0336c\u0336',
  'Z̴̡̧a̷̢͙l̵̨̛g̶̡͚o̸̢͚', '😀 😃 😄 😁', 'I ❤️ Python 🐍 and Django 🎸', '👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈', '🇫🇷🇩🇪🇺🇸',
  'thumbs 👍🏽 up', '☃ ★ ☆ ♠ ♣ ♥ ♦', '→ ← ↑ ↓ ⇒ ⇔ ∀ ∃ ∈ ∑ ∫ √ ∞ ≠ ≤ ≥', '© ® ™ € £ ¥ ¢ § ¶ † ‡ •',
  '中文分词测试', '我喜欢用Django写网站。', '日本語のテキスト、カタカナとひらがな。', '漢字かな交じり文',
  '한국어 텍스트입니다', '안녕하세요 세계', 'Русский текст: привет, мир!', 'Ёлка ёж ЁЖИК', 'Українська: ґ є ї',
  'العربية: مرحبا بالعالم', 'עברית: שלום עולם', 'हिन्दी: नमस्ते दुनिया', 'தமிழ் மொழி', 'ภาษาไทย สวัสดี',
  'Tiếng Việt: Xin chào thế giới', 'Ελληνικά: Καλημέρα κόσμε', 'mixed English и русский 中文 日本語 한국어',
  'Django 4.2 LTS vs Flask 3.0.1 vs FastAPI 0.110.0', '3.14159 2.71828 1e-10 6.022e23 -42 +7', '1,000,000 1.000.000 1 000 000',
  '0x1F 0b1010 0o777 1_000_000', '12:30pm 2024-01-31T12:30:00Z', '$19.99 €5 ¥1000 £3.50', '100% 50°C -40°F',
  'v1.2.3-beta+build.45', 'IPv4 192.168.0.1 and IPv6 ::1 fe80::1%lo0', 'https://docs.djangoproject.com/en/4.2/topics/db/models/',
  'mailto:someone@example.com user.name+tag@sub.example.co.uk', '@app.route("/users/<int:user_id>")',
  'def index(request):\n    return HttpResponse("Hello")', 'async def read_item(item_id: int, q: str | None = None):',
  'from flask import Flask, render_template\napp = Flask(__name__)', 'SELECT * FROM users WHERE id = 1; DROP TABLE users;--',
  'x = {"key": [1, 2, 3], \'other\': (4, 5)}', 'if (a && b || !c) { return a->b; }', 'lambda x: x**2 // 3 % 4 << 1 >> 2',
  '<div class="container"><p>Hello</p></div>', '{% block content %}{{ user.name|title }}{% endblock %}',
  'C:\\Users\\dev\\project\\manage.py', '/usr/local/lib/python3.11/site-packages', '~/.config/app.toml',
  'snake_case camelCase PascalCase kebab-case SCREAMING_SNAKE_CASE', '__init__ __name__ __main__ _private',
  'pip install "fastapi[all]>=0.100" uvicorn[standard]', 'npm i -D @types/node@20', 'git commit -m "fix: bug #123"',
  'a'.repeat(99), 'a'.repeat(100), 'a'.repeat(101), 'b'.repeat(250), 'supercalifragilisticexpialidocious',
  'pneumonoultramicroscopicsilicovolcanoconiosis', 'antidisestablishmentarianism', 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch',
  'x'.repeat(60) + 'é'.repeat(45), '😀'.repeat(60), '日'.repeat(120), 'ab'.repeat(70) + ' end',
  'tab\tseparated\tvalues', 'line\nbreaks\r\nand\rreturns', 'no\u00a0break\u00a0space', 'thin\u2009space em\u2003space',
  'ideographic\u3000space', 'zero\u200bwidth\u200cjoiner\u200dtest', 'soft\u00adhyphen', 'bom\ufeffinside',
  'left\u200eright\u200fmarks', 'control\u0001\u0002\u0003chars', 'bell\u0007and\u0008backspace', 'nul\u0000char',
  'replacement\ufffdchar', 'private\ue000use', 'next\u0085line', 'line\u2028separator\u2029paragraph',
  'quotes “curly” ‘single’ «guillemets» „low“', 'dashes – — ‒ ― and … ellipsis', 'apostrophe’s don’t can’t',
  '[CLS] [SEP] [PAD] [MASK] [UNK]', 'text with [SEP] inside', '[cls] lowercase specials', '[CLS][SEP]', 'a[MASK]b',
  'UPPERCASE lowercase MiXeD cAsE', 'ALL CAPS SENTENCE ABOUT DJANGO ORM', "O'Reilly's rock'n'roll",
  'e.g. i.e. etc. vs. Mr. Dr. U.S.A.', 'well-known state-of-the-art up-to-date', 'co-operate re-enter',
  '¿Qué tal? ¡Hola!', 'Ça va? Où est-ce?', 'Größe Übergröße Äpfel Öl', 'Øre Ålesund Æble', 'Łódź Kraków Gdańsk Wrocław',
  'Čeština Škoda Žižkov', 'Türkçe çğıöşü ÇĞİÖŞÜ', 'Română: ăâîșț ĂÂÎȘȚ', 'Íslenska: þ ð Þ Ð', 'Māori: ā ē ī ō ū',
  'Ǆemal ǈubljana', 'ﬃ ﬄ ﬅ ﬆ', 'µ μ Ω Ω Å Å K K', 'ℌ ℍ ℎ ℏ ℐ ℑ', '𝐀𝐁𝐂 𝒜ℬ𝒞 𝔄𝔅ℭ', '𝟘𝟙𝟚', '𐐀𐐁 Deseret',
  'ｶﾀｶﾅ ﾊﾝｶｸ', '㍻ ㌔ ㎏ ㎞', '〈angle〉 【bracket】 《double》', '、。・「」『』', '（全角括弧）',
  '𠀀𠀁 extension B', '丽 compatibility 丽', '⺀ ⺁ radicals', 'Yi: ꀀꀁ', 'Hangul jamo 각', 'ㄱㄴㄷ compatibility jamo',
  '\u0300 leading combining', 'a\u0301\u0302\u0303 stacked', '\u0651\u064b Arabic marks alone',
  'FastAPI, Flask and Django: which one?', 'Django REST framework (DRF) vs. FastAPI + Pydantic v2',
  'What about async support in Flask 2.0+?', '   leading and trailing spaces   ', 'many     spaces     between',
  '.hidden-file .env .gitignore', 'version==1.0.0,<2.0', 'a+b=c; d-e=f; g*h=i; j/k=l', '∑_{i=1}^{n} x_i^2',
  '#hashtag @mention $variable %percent ^caret &amp *star', '`code` ``double`` ```triple```',
  '**bold** __underline__ ~~strike~~ _italic_', '> quote\n- list\n1. ordered', '| table | row |\n|---|---|',
];

const texts = [];
const seen = new Set();
function add(source, text) {
  const t = cut(text);
  if (seen.has(t)) return;
  seen.add(t);
  texts.push({ source, text: t });
}

for (const t of edgeCases) add('edge', t);
for (const file of fs.readdirSync(articles).filter(f => f.endsWith('.txt')).sort()) {
  const text = fs.readFileSync(path.join(articles, file), 'utf8');
  add('corpus', text);
  for (const p of paragraphs(text)) add('corpus', p);
}
for (const p of spread(htmlParagraphs(djangoDocs), 1300)) add('django-doc', p);
for (const p of spread(htmlParagraphs(flaskDocs), 500)) add('flask-doc', p);

const cases = texts.map(({ source, text }) => ({ source, text, ids: tokenizer.encode(text) }));
const vocab = fs.readFileSync(path.join(models, 'all-MiniLM-L6-v2', 'vocab.txt'));
const { version } = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', '@huggingface', 'transformers', 'package.json'), 'utf8'));

// One case per line keeps the file readable and its diffs small.
const header = {
  reference: `@huggingface/transformers ${version}, AutoTokenizer 'all-MiniLM-L6-v2', encode(text) with special tokens, no truncation`,
  vocabSha256: crypto.createHash('sha256').update(vocab).digest('hex'),
  count: cases.length,
};
const lines = cases.map(c => JSON.stringify(c));
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, `{"header": ${JSON.stringify(header)},\n"cases": [\n${lines.join(',\n')}\n]}\n`);
const bySource = {};
for (const c of cases) bySource[c.source] = (bySource[c.source] ?? 0) + 1;
console.log(`${cases.length} cases (${Object.entries(bySource).map(([k, n]) => `${k} ${n}`).join(', ')}) -> ${output}`);
