#!/usr/bin/env bash
# The per-ISA object files (*_x86_sse2/f16c/avx2/avx512.cpp.o) must define no
# weak symbols. A template or inline function instantiated in two of them
# (or in one of them and in generic code) is one symbol to the linker, which
# keeps any one copy for every caller: code built with -mavx512f could then
# run on the AVX2 or scalar path and fault on a CPU without AVX-512, a fault
# this machine (which has every ISA) would never show. Helpers shared by
# per-ISA files get internal linkage (an anonymous namespace) instead.
#
#   tests/linkage/isa_symbols.sh BUILD_DIR     (ctest: isa_symbols, native build)
set -euo pipefail
dir="$1"
mapfile -t objs < <(find "$dir/CMakeFiles" -name '*_x86_*.cpp.o' | sort)
[ ${#objs[@]} -gt 0 ] || { echo "isa_symbols: no per-ISA object files under $dir/CMakeFiles"; exit 1; }
bad=0
for o in "${objs[@]}"; do
  weak="$(nm -C --defined-only "$o" | awk '$2 == "W" || $2 == "V"')"
  if [ -n "$weak" ]; then
    printf '%s defines weak symbols (give them internal linkage):\n%s\n' "${o#"$dir"/}" "$weak"
    bad=1
  fi
done
echo "isa_symbols: ${#objs[@]} per-ISA object files checked"
exit $bad
