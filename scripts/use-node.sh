# Sourced by .ci/run: puts the Node.js named in .nvmrc first on PATH. The machine's own node when it is that
# version; otherwise the official binary from the npm registry's node-linux-<arch> package (the only
# registry CI reaches besides Debian's, whose nodejs is too old), unpacked once under
# ~/.cache/granary/node-v<version>. npm stays the machine's, run by this node; node-gyp builds against
# this node's headers.
granary_node_version=$(tr -d ' \r\n' < "$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")
if [ "$(node --version 2>/dev/null)" != "v$granary_node_version" ]; then
  case "$(uname -m)" in
    x86_64) granary_node_arch=x64 ;;
    aarch64) granary_node_arch=arm64 ;;
    *) echo "no Node.js $granary_node_version package for $(uname -m); install it by hand" >&2; return 1 ;;
  esac
  granary_node_dir="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/granary/node-v$granary_node_version"
  if [ "$("$granary_node_dir/bin/node" --version 2>/dev/null)" != "v$granary_node_version" ]; then
    echo "fetching Node.js $granary_node_version (node-linux-$granary_node_arch from the npm registry)"
    granary_node_tmp=$(mktemp -d)
    (cd "$granary_node_tmp" && npm pack --silent "node-linux-$granary_node_arch@$granary_node_version" >/dev/null) || { rm -rf "$granary_node_tmp"; return 1; }
    mkdir -p "$granary_node_tmp/unpacked" "$(dirname "$granary_node_dir")"
    tar xzf "$granary_node_tmp"/node-linux-*.tgz -C "$granary_node_tmp/unpacked" --strip-components=1
    rm -rf "$granary_node_dir" && mv "$granary_node_tmp/unpacked" "$granary_node_dir" && rm -rf "$granary_node_tmp"
  fi
  export PATH="$granary_node_dir/bin:$PATH"
  export npm_config_nodedir="$granary_node_dir"
fi
echo "node $(node --version), npm $(npm --version)"
