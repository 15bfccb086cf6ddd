#!/bin/sh
# Generates the cases for each model (ORT logits) and runs the driver on them.
#   native/tools/pipeline_check/run.sh [model...]   (default: the four WordPiece models)
# Outputs go to tmp/pipeline_check/ (ignored; node-gyp rebuild wipes build/).
set -e
cd "$(dirname "$0")/../../.."
sh native/tools/pipeline_check/build.sh tmp/pipeline_check/pipeline_check >/dev/null
models=${*:-bert-cased-conll bert-tiny-pos bert-tiny-uncased distilbert-tiny}
mkdir -p tmp/pipeline_check/cases
status=0
tmp/pipeline_check/pipeline_unit_check || status=1
for m in $models; do
  node native/tools/pipeline_check/make_cases.mjs "$m" "tmp/pipeline_check/cases/$m.txt" >/dev/null
  tmp/pipeline_check/pipeline_check "tmp/pipeline_check/cases/$m.txt" || status=1
  # pre-split (is_split_into_words) goldens exist for some models; WordPiece ones only here
  if [ -f "test/fixtures/golden/$m.words.json.gz" ] && grep -q '"type": *"WordPiece"' "$(ls -d models/$m test/fixtures/models/$m 2>/dev/null | head -1)/tokenizer.json"; then
    node native/tools/pipeline_check/make_cases.mjs --words "$m" "tmp/pipeline_check/cases/$m.words.txt" >/dev/null
    tmp/pipeline_check/pipeline_check "tmp/pipeline_check/cases/$m.words.txt" || status=1
  fi
done
exit $status
