# shellcheck shell=bash
# Part of iexec-module-kit. Sourced after the module's scripts/docker.sh by publish.sh and sconify.sh: pushing an image and writing
# what the app registers (image reference and registry digest) into an app profile file.

# push_image REF: pushes REF and prints its registry digest (sha256:...), which the app checksum
# records: what anyone can check the image against. Workers do not: they pull by tag
# (iexec-worker ComputeManagerService), so a checksum that is not the registry's goes unnoticed.
push_image() {
  local ref="$1" repo="${1%:*}" digest="" digest_file push_log entry push_help
  push_help="$("$DOCKER" push --help 2>&1 || true)"
  if [[ "$push_help" == *--digestfile* ]]; then
    # Podman compresses layers while pushing: the digest the registry stored is the one it reports
    # here, its local RepoDigests may differ.
    digest_file="$(mktemp)"
    "$DOCKER" push --digestfile "$digest_file" "$ref" >&2 || push_failed "$ref"
    digest="$(cat "$digest_file")"
    rm -f "$digest_file"
  else
    # The digest line of the push output ("TAG: digest: sha256:... size: N") is what the registry
    # stored. Docker's RepoDigests agrees with it, but a docker client talking to a Podman service
    # reports the uncompressed local digest there: the push output is right for both.
    push_log="$(mktemp)"
    "$DOCKER" push "$ref" 2>&1 | tee "$push_log" >&2 || push_failed "$ref"
    digest="$(grep -oE 'digest: sha256:[0-9a-f]{64}' "$push_log" | tail -n 1 || true)"
    digest="${digest#digest: }"
    rm -f "$push_log"
    if [[ -z "$digest" ]]; then
      # Not `index .RepoDigests 0`: an image pushed to several repositories has one digest per repository.
      while read -r entry; do
        case "$entry" in
          "$repo"@sha256:* | docker.io/"$repo"@sha256:*) digest="${entry#*@}" ;;
        esac
      done < <("$DOCKER" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$ref")
    fi
  fi
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || die "pushed $ref but could not read its registry digest"
  echo "$digest"
}

push_failed() {
  die "could not push $1: log in first ('$DOCKER login' for Docker Hub, '$DOCKER login REGISTRY' for another" \
    "registry) and check that the namespace is yours (set DOCKER_NAMESPACE to use another one)."
}

# set_app FILE FIELD VALUE [FIELD VALUE...]: sets app.FIELD in an iexec profile file (node: no jq
# needed). Values are strings, except mrenclave, which is a JSON object.
set_app() {
  node -e '
    const fs = require("node:fs");
    const [file, ...pairs] = process.argv.slice(1);
    const conf = JSON.parse(fs.readFileSync(file, "utf8"));
    for (let i = 0; i < pairs.length; i += 2) {
      conf.app[pairs[i]] = pairs[i] === "mrenclave" ? JSON.parse(pairs[i + 1]) : pairs[i + 1];
    }
    fs.writeFileSync(file, JSON.stringify(conf, null, 2) + "\n");
  ' "$@"
}
