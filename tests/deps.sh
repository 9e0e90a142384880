#!/bin/sh
# Checks the libraries (pkg-config names as arguments) and the tools the
# tests use, or with --fuzz or --valgrind only what make fuzz or make
# valgrind needs. As root on Debian it installs what is missing with
# apt-get; otherwise it prints the command to run and fails.
set -u

deb_of() {
    case "$1" in
    ncursesw) echo libncurses-dev ;;
    libcurl) echo libcurl4-openssl-dev ;;
    openssl) echo libssl-dev ;;
    libcjson) echo libcjson-dev ;;
    yaml-0.1) echo libyaml-dev ;;
    libxml-2.0) echo libxml2-dev ;;
    libmicrohttpd) echo libmicrohttpd-dev ;;
    cmocka) echo libcmocka-dev ;;
    *) echo "$1" ;;
    esac
}

# Whether clang links a libFuzzer binary with ASan and UBSan, which needs
# clang's runtime libraries besides the compiler.
fuzzer_links() {
    dir=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n'\
'{ (void)d; (void)n; return 0; }\n' >"$dir/f.c"
    clang -fsanitize=fuzzer,address,undefined -o "$dir/f" "$dir/f.c" \
        >/dev/null 2>&1
    rc=$?
    rm -rf "$dir"
    return $rc
}

# Adds the Debian packages of the build's libraries (pkg-config names as
# arguments) and of the test tools to $missing.
check_build() {
    command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
    command -v cc >/dev/null 2>&1 || missing="$missing gcc"
    command -v make >/dev/null 2>&1 || missing="$missing make"
    for pkg in "$@"; do
        pkg-config --exists "$pkg" 2>/dev/null || missing="$missing $(deb_of "$pkg")"
    done

    # Tools the tests run as independent clients and oracles.
    command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
    command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
    command -v python3 >/dev/null 2>&1 || missing="$missing python3"
    python3 -c 'import botocore' 2>/dev/null || missing="$missing python3-botocore"
    python3 -c 'import yaml' 2>/dev/null || missing="$missing python3-yaml"
    command -v aws >/dev/null 2>&1 || missing="$missing awscli"
    command -v kubectl >/dev/null 2>&1 || missing="$missing kubernetes-client"
}

missing=""
if [ "${1:-}" = "--fuzz" ]; then
    command -v clang >/dev/null 2>&1 && fuzzer_links ||
        missing="clang libclang-rt-dev"
elif [ "${1:-}" = "--valgrind" ]; then
    command -v valgrind >/dev/null 2>&1 || missing="valgrind"
else
    check_build "$@"
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing \
        >/dev/null || { echo "deps: apt-get install$missing failed" >&2; exit 1; }
    # A pyenv python3 on PATH does not see Debian's python3-botocore.
    python3 -c 'import botocore, yaml' 2>/dev/null ||
        { echo "deps: python3 on PATH ($(command -v python3)) cannot import botocore and yaml; run: python3 -m pip install botocore pyyaml" >&2; exit 1; }
    exit 0
fi
echo "deps: missing:$missing" >&2
echo "deps: run: sudo apt-get install -y$missing" >&2
exit 1
