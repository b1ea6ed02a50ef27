# libFuzzer targets (clang 14): every tests/fuzz/fuzz_<name>.cpp becomes the
# executable fuzz_<name> in build/fuzz, with ASan + UBSan. The libraries are
# instrumented too (-fsanitize=fuzzer-no-link) so coverage reaches the core.
# Run them with scripts/fuzz (long) or the `fuzz` step of scripts/test (short);
# seed corpora live in tests/fuzz/corpus/<name>/.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MANTISSA_FUZZ needs clang (libFuzzer): use the `fuzz` preset")
endif()

# The CLI's commands without its main(), for fuzz_cli.
file(GLOB fuzz_cli_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/cli/*.cpp")
list(FILTER fuzz_cli_sources EXCLUDE REGEX "/main\\.cpp$")

file(GLOB fuzz_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp")
foreach(source IN LISTS fuzz_sources)
  get_filename_component(target "${source}" NAME_WE)
  set(extra "")
  if(target STREQUAL "fuzz_cli")
    set(extra ${fuzz_cli_sources})
  endif()
  add_executable(${target} "${source}" ${extra})
  target_link_libraries(${target} PRIVATE ${MANTISSA_LIBS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  mantissa_target_defaults(${target})
endforeach()
