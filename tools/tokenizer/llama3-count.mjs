import llama3Tokenizer from 'llama3-tokenizer-js';
import fs from 'fs';
const files = process.argv.slice(2);
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8');
  const n = llama3Tokenizer.encode(text, { bos: false, eos: false }).length;
  console.log(JSON.stringify({ file: f, chars: text.length, llama3: n }));
}
