#!/usr/bin/env bash
# Copies the repository's fixtures into fuzz/corpus/<target> as seed inputs.
# Usage: fuzz/seed.sh   (from anywhere; idempotent, file names are content hashes)
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
fixtures="$fuzz_dir/../fixtures"

seed() { # seed TARGET FILE: stores FILE under its SHA-1, as libFuzzer names corpus entries
    local dir="$fuzz_dir/corpus/$1"
    mkdir -p "$dir"
    cp "$2" "$dir/$(sha1sum < "$2" | cut -d' ' -f1)"
}

# Terraform: every file alone, and each fixture directory as one multi-file input (the target
# splits its input at NUL bytes, so the pieces become main.tf, modules/m/main.tf, ...).
while IFS= read -r -d '' file; do
    seed terraform "$file"
done < <(find "$fixtures" -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.tf.json' \) -print0)
scratch=$(mktemp)
trap 'rm -f "$scratch"' EXIT
while IFS= read -r -d '' dir; do
    : > "$scratch"
    first=1
    while IFS= read -r -d '' file; do
        [ "$first" = 1 ] || printf '\0' >> "$scratch"
        cat "$file" >> "$scratch"
        first=0
    done < <(find "$dir" -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.tf.json' \) -print0 | sort -z)
    [ -s "$scratch" ] && seed terraform "$scratch"
done < <(find "$fixtures/terraform" "$fixtures/rules" -mindepth 1 -maxdepth 1 -type d -print0)

# CloudFormation, by syntax.
while IFS= read -r -d '' file; do
    seed cfn_yaml "$file"
done < <(find "$fixtures" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0)
while IFS= read -r -d '' file; do
    case "$file" in
        */plan/*) ;;
        *) seed cfn_json "$file" ;;
    esac
done < <(find "$fixtures/cloudformation" "$fixtures/rules" "$fixtures/suppressions" -type f -name '*.json' -print0)

# Plans.
while IFS= read -r -d '' file; do
    seed plan "$file"
done < <(find "$fixtures/plan" -type f -name 'plan.json' -print0)

# The algebra target reads structured input (arbitrary); it starts from an empty corpus.
mkdir -p "$fuzz_dir/corpus/net"

for dir in "$fuzz_dir"/corpus/*; do
    echo "$(basename "$dir"): $(find "$dir" -type f | wc -l) seeds"
done
