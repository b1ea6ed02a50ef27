# Catch2 suites: every folder tests/<name>/ holding *.cpp files becomes the
# executable test_<name> (all Mantissa libraries linked), registered in ctest
# as <name>. CLI tests: every tests/cli/*.py runs as
# `python3 <file> <path to mantissa>` (native builds).
#
# [exhaustive] tests walk all 2^32 inputs: only the plain native build runs
# them; the sanitizer and wasm builds filter them out.

if(EMSCRIPTEN)
  # find_package(Catch2) would put -isystem /usr/include on the wasm compile
  # (TOOLCHAIN.md pitfall 3): copy just the catch2/ header folder instead.
  set(MANTISSA_CATCH2_DIR "/usr/include/catch2" CACHE PATH "Catch2 v2 header folder (catch.hpp)")
  if(NOT EXISTS "${MANTISSA_CATCH2_DIR}/catch.hpp")
    message(FATAL_ERROR "Catch2 header not found in ${MANTISSA_CATCH2_DIR} (apt-get install catch2)")
  endif()
  file(COPY "${MANTISSA_CATCH2_DIR}" DESTINATION "${PROJECT_BINARY_DIR}/third_party")
  add_library(mantissa_catch2 INTERFACE)
  target_include_directories(mantissa_catch2 INTERFACE "${PROJECT_BINARY_DIR}/third_party")
  # Without exceptions a failing REQUIRE aborts the whole run (pitfall 17).
  target_compile_options(mantissa_catch2 INTERFACE -fexceptions)
  # The suites run with Emscripten's strictest runtime checks (hardening):
  # ASSERTIONS=2 and SAFE_HEAP=1 trap unaligned, null or out-of-bounds
  # accesses that plain wasm would let through. The page and the JS module
  # are built without them.
  target_link_options(mantissa_catch2 INTERFACE -fexceptions -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=8MB
                      -sEXIT_RUNTIME=1 -sNODERAWFS=1 -sASSERTIONS=2 -sSAFE_HEAP=1)
  find_program(NODE_EXECUTABLE NAMES node nodejs REQUIRED)
  set(test_filter "~[exhaustive]")
else()
  find_package(Catch2 2 REQUIRED)
  add_library(mantissa_catch2 INTERFACE)
  target_link_libraries(mantissa_catch2 INTERFACE Catch2::Catch2)
  set(test_filter "")
  if(MANTISSA_SANITIZE)
    set(test_filter "~[exhaustive]")
  endif()
endif()

# The CATCH_CONFIG_MAIN translation unit is slow to compile (pitfall 14): once.
add_library(catch_main OBJECT "${PROJECT_SOURCE_DIR}/tests/catch_main.cpp")
target_link_libraries(catch_main PUBLIC mantissa_catch2)

file(GLOB test_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/*/*.cpp")
set(test_folders "")
foreach(source IN LISTS test_sources)
  get_filename_component(dir "${source}" DIRECTORY)
  get_filename_component(folder "${dir}" NAME)
  list(APPEND test_folders "${folder}")
endforeach()
list(REMOVE_DUPLICATES test_folders)
list(REMOVE_ITEM test_folders fuzz)  # libFuzzer targets: cmake/Fuzz.cmake

foreach(folder IN LISTS test_folders)
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/${folder}/*.cpp")
  set(target test_${folder})
  add_executable(${target} ${sources} $<TARGET_OBJECTS:catch_main>)
  target_link_libraries(${target} PRIVATE mantissa_app_models ${MANTISSA_LIBS} mantissa_catch2)
  mantissa_target_defaults(${target})
  if(EMSCRIPTEN)
    # build/web/tests/test_<folder>.js + .wasm, run by Node. Emscripten 3.1.6
    # predates Node's global fetch (pitfall 2); emcmake's default emulator
    # lacks the flag (pitfall 13), hence the per-target emulator.
    set_target_properties(${target} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/tests"
      CROSSCOMPILING_EMULATOR "${NODE_EXECUTABLE};--no-experimental-fetch")
  endif()
  add_test(NAME ${folder} COMMAND ${target} --use-colour no ${test_filter})
endforeach()

# ctest -j starts the costliest tests first when it knows their cost; a
# fresh build has no timing history, and would start the long suites last,
# one after another. These take minutes (the 2^32 sweeps natively, the
# sampled sweeps in wasm); everything else takes seconds.
# Costs: seconds measured on 2 cores (CI, 2026-12-02), rounded.
foreach(entry core=230 kernels=230 trace=80 train=35 app=25)
  string(REPLACE "=" ";" pair "${entry}")
  list(GET pair 0 folder)
  list(GET pair 1 cost)
  if(TEST ${folder})
    set_tests_properties(${folder} PROPERTIES COST ${cost})
  endif()
endforeach()

if(NOT EMSCRIPTEN)
  find_program(MANTISSA_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT MANTISSA_PYTHON)
    find_program(MANTISSA_PYTHON NAMES python3 REQUIRED)
  endif()
  file(GLOB cli_tests CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/cli/*.py")
  # Modules the tests import, not tests themselves.
  list(FILTER cli_tests EXCLUDE REGEX "/gguf_file\\.py$")
  foreach(script IN LISTS cli_tests)
    get_filename_component(stem "${script}" NAME_WE)
    add_test(NAME cli_${stem} COMMAND "${MANTISSA_PYTHON}" "${script}" $<TARGET_FILE:mantissa>)
  endforeach()
  # No per-ISA object file defines a weak symbol the linker could hand to
  # another ISA's path (tests/linkage/isa_symbols.sh says why). The optimized
  # build only: what ships.
  if(NOT MANTISSA_SANITIZE)
    add_test(NAME isa_symbols COMMAND bash "${PROJECT_SOURCE_DIR}/tests/linkage/isa_symbols.sh" "${PROJECT_BINARY_DIR}")
  endif()
endif()
