// tests/interop/sparql_check.js -- load fakt's N-Quads export into Oxigraph
// and check that SPARQL over it answers the corpus questions of
// questions.txt as fakt's own queries do.
//   node sparql_check.js FAKT DB EXPORT.nq QUESTIONS
// Prints "ok NAME" or "FAIL NAME" with both answers; exit 1 on a failure.
'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const oxigraph = require('oxigraph');

const [fakt, db, nq, questions] = process.argv.slice(2);
const PREFIXES = `
PREFIX e: <http://fakt.example/e/>
PREFIX p: <http://fakt.example/p/>
PREFIX f: <http://fakt.example/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
`;

const store = new oxigraph.Store();
store.load(fs.readFileSync(nq, 'utf8'), { format: 'application/n-quads' });

// The text of an RDF term as fakt prints it: an IRI's last segment (entity,
// claim, predicate or stance id), a literal's lexical form.
function text(term) {
  if (!term) return '';
  if (term.termType === 'NamedNode') return term.value.replace(/^.*[/#]/, '');
  return term.value;
}

const blocks = fs.readFileSync(questions, 'utf8').split(/^### /m).slice(1);
let failed = 0;
for (const block of blocks) {
  const name = block.split('\n')[0].trim();
  const m = block.match(/^fakt: (.*)$/m);
  const sparql = block.slice(block.indexOf('\n', m.index) + 1);
  // projected variables: ?x, or the ?y of (EXPR AS ?y)
  const vars = sparql.match(/SELECT\s+(?:DISTINCT\s+)?([^]*?)\s+WHERE/)[1]
    .replace(/\([^]*?AS\s+(\?\w+)\)/g, '$1').match(/\?\w+/g).map(v => v.slice(1));
  const rdf = store.query(PREFIXES + sparql)
    .map(b => vars.map(v => text(b.get(v))).join('|')).sort();
  const out = execFileSync(fakt, ['--mode', 'tsv', '--no-headers', '-c', m[1], db],
                           { encoding: 'utf8' });
  const own = out.split('\n').filter(l => l !== '').map(l => l.split('\t').join('|')).sort();
  if (JSON.stringify(rdf) === JSON.stringify(own) && own.length > 0) {
    console.log(`ok ${name} (${own.length} rows)`);
  } else {
    failed++;
    console.log(`FAIL ${name}\n  fakt:   ${JSON.stringify(own)}\n  sparql: ${JSON.stringify(rdf)}`);
  }
}
process.exit(failed ? 1 : 0);
