#!/bin/sh
# Generates the cases for each model (ORT logits) and runs the driver on them.
#   native/tools/pipeline_check/run.sh [model...]   (default: the four WordPiece models)
set -e
cd "$(dirname "$0")/../../.."
sh native/tools/pipeline_check/build.sh build/pipeline_check >/dev/null
models=${*:-bert-cased-conll bert-tiny-pos bert-tiny-uncased distilbert-tiny}
mkdir -p build/pipeline_check_cases
status=0
build/pipeline_unit_check || status=1
for m in $models; do
  node native/tools/pipeline_check/make_cases.mjs "$m" "build/pipeline_check_cases/$m.txt" >/dev/null
  build/pipeline_check "build/pipeline_check_cases/$m.txt" || status=1
  # pre-split (is_split_into_words) goldens exist for some models; WordPiece ones only here
  if [ -f "test/fixtures/golden/$m.words.json.gz" ] && grep -q '"type": *"WordPiece"' "$(ls -d models/$m test/fixtures/models/$m 2>/dev/null | head -1)/tokenizer.json"; then
    node native/tools/pipeline_check/make_cases.mjs --words "$m" "build/pipeline_check_cases/$m.words.txt" >/dev/null
    build/pipeline_check "build/pipeline_check_cases/$m.words.txt" || status=1
  fi
done
exit $status
