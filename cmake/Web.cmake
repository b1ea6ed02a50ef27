# The web family: Dear ImGui (from Debian's source package, fetched by
# scripts/setup into build/_deps/imgui), the playground app, the Embind
# module and the page's static files, all into build/web/.

include(cmake/Fonts.cmake)

set(MANTISSA_IMGUI_DIR "${PROJECT_SOURCE_DIR}/build/_deps/imgui" CACHE PATH "Dear ImGui 1.86 sources")
if(NOT EXISTS "${MANTISSA_IMGUI_DIR}/imgui.cpp")
  message(FATAL_ERROR "Dear ImGui sources not found in ${MANTISSA_IMGUI_DIR}: run scripts/setup")
endif()

# GL ES 3 / WebGL2 (pitfall 10); GLFW is Emscripten's built-in (pitfalls 5, 12).
set(MANTISSA_WEBGL_LINK_OPTIONS -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2)

add_library(imgui STATIC
  "${MANTISSA_IMGUI_DIR}/imgui.cpp"
  "${MANTISSA_IMGUI_DIR}/imgui_draw.cpp"
  "${MANTISSA_IMGUI_DIR}/imgui_tables.cpp"
  "${MANTISSA_IMGUI_DIR}/imgui_widgets.cpp"
  "${MANTISSA_IMGUI_DIR}/imgui_demo.cpp"
  "${MANTISSA_IMGUI_DIR}/backends/imgui_impl_glfw.cpp"
  "${MANTISSA_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
# SYSTEM: ImGui's own warnings are not ours to fix.
target_include_directories(imgui SYSTEM PUBLIC "${MANTISSA_IMGUI_DIR}" "${MANTISSA_IMGUI_DIR}/backends")
# IMGUI_ENABLE_TEST_ENGINE: ImGui reports every item to hooks in
# src/app/layout_probe.cpp (window.mantissa.items(), for the phone-width tests).
target_compile_definitions(imgui PUBLIC IMGUI_IMPL_OPENGL_ES3 IMGUI_DISABLE_OBSOLETE_FUNCTIONS IMGUI_ENABLE_TEST_ENGINE)
# 32-bit indices: the ES3 backend has no glDrawElementsBaseVertex (no
# RendererHasVtxOffset), so a draw list past 65536 vertices (a panel of dense
# plots) would wrap its 16-bit indices. WebGL2 draws GL_UNSIGNED_INT natively.
target_compile_definitions(imgui PUBLIC "ImDrawIdx=unsigned int")
target_link_options(imgui INTERFACE ${MANTISSA_WEBGL_LINK_OPTIONS})

# --- The playground: build/web/app.js + app.wasm --------------------------------
file(GLOB app_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/app/*.cpp")
add_executable(mantissa_app ${app_sources})
set_target_properties(mantissa_app PROPERTIES OUTPUT_NAME app RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}")
target_link_libraries(mantissa_app PRIVATE ${MANTISSA_LIBS} imgui)
# The Inspect tensors panel reads the worker's report (the CLI's JSON) with nlohmann/json.
target_include_directories(mantissa_app PRIVATE "${PROJECT_BINARY_DIR}/third_party_json")
# The heap grows on demand up to a stated cap (the simulator refuses scenarios
# over its own 256 MiB budget before allocating; the rest is the app's).
target_link_options(mantissa_app PRIVATE -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=1GB -sENVIRONMENT=web)
mantissa_target_defaults(mantissa_app)
mantissa_embed_fonts(mantissa_app)
# GLSL ES 3.00 shaders (shaders/NAME.glsl) as embed/shader_NAME.h, symbol shader_NAME
# (dots become underscores: landscape_error.frag.glsl -> shader_landscape_error_frag).
file(GLOB shader_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/shaders/*.glsl")
foreach(shader IN LISTS shader_files)
  get_filename_component(shader_name "${shader}" NAME)
  string(REGEX REPLACE "\\.glsl$" "" shader_name "${shader_name}")
  string(MAKE_C_IDENTIFIER "shader_${shader_name}" shader_symbol)
  mantissa_embed_file(mantissa_app ${shader_symbol} "${shader}")
endforeach()

# --- The JS API: build/web/mantissa.mjs + mantissa.wasm (no UI) ----------------
file(GLOB binding_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/bindings/*.cpp")
add_executable(mantissa_js ${binding_sources})
set_target_properties(mantissa_js PROPERTIES OUTPUT_NAME mantissa SUFFIX ".mjs"
                      RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}")
target_link_libraries(mantissa_js PRIVATE ${MANTISSA_LIBS})
# DYNAMIC_EXECUTION=0: Embind builds its invokers without `new Function`, so
# pages using the module need no 'unsafe-eval' in their CSP (only
# 'wasm-unsafe-eval', which compiling any WebAssembly needs under a CSP).
# api.js (--post-js) is the documented API over the raw Embind functions.
# One file for every JavaScript host: pages, module Web Workers, Node >= 18 and
# Deno. Emscripten 3.1.6's Node paths assume CommonJS; node_module_scope.js
# (--extern-pre-js) and node_wasm_file.js (--pre-js) say why and what they
# bridge. NODEJS_CATCH_*=0: a library must not install process-wide handlers
# in its host's Node process.
set(MANTISSA_JS_API "${PROJECT_SOURCE_DIR}/src/bindings/api.js")
set(MANTISSA_JS_NODE_SCOPE "${PROJECT_SOURCE_DIR}/src/bindings/node_module_scope.js")
set(MANTISSA_JS_NODE_WASM "${PROJECT_SOURCE_DIR}/src/bindings/node_wasm_file.js")
target_link_options(mantissa_js PRIVATE -lembind -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=Mantissa
                    -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=1GB -sENVIRONMENT=web,worker,node
                    -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sDYNAMIC_EXECUTION=0
                    "SHELL:--extern-pre-js ${MANTISSA_JS_NODE_SCOPE}" "SHELL:--pre-js ${MANTISSA_JS_NODE_WASM}"
                    "SHELL:--post-js ${MANTISSA_JS_API}")
set_property(TARGET mantissa_js APPEND PROPERTY LINK_DEPENDS
             "${MANTISSA_JS_API}" "${MANTISSA_JS_NODE_SCOPE}" "${MANTISSA_JS_NODE_WASM}")
# TypeScript declarations next to the module.
configure_file("${PROJECT_SOURCE_DIR}/src/bindings/mantissa.d.ts" "${PROJECT_BINARY_DIR}/mantissa.d.ts" COPYONLY)
mantissa_target_defaults(mantissa_js)

# --- The npm package: build/npm/, ready for `npm pack` ---------------------------
# package.json takes its version from project(VERSION) (the one version source,
# also behind m.version()); the module and its wasm are copied after each link.
set(MANTISSA_NPM_DIR "${PROJECT_SOURCE_DIR}/build/npm" CACHE PATH "Where the npm package is assembled")
configure_file("${PROJECT_SOURCE_DIR}/src/bindings/npm/package.json.in" "${MANTISSA_NPM_DIR}/package.json" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/src/bindings/npm/README.md" "${MANTISSA_NPM_DIR}/README.md" COPYONLY)
configure_file("${PROJECT_SOURCE_DIR}/src/bindings/mantissa.d.ts" "${MANTISSA_NPM_DIR}/mantissa.d.ts" COPYONLY)
configure_file("${PROJECT_SOURCE_DIR}/LICENSE" "${MANTISSA_NPM_DIR}/LICENSE" COPYONLY)
add_custom_command(TARGET mantissa_js POST_BUILD
  COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${PROJECT_BINARY_DIR}/mantissa.mjs" "${PROJECT_BINARY_DIR}/mantissa.wasm"
          "${MANTISSA_NPM_DIR}/"
  VERBATIM)

# --- Static files: web/** copied as they are (index.html, glue scripts) ----------
file(GLOB_RECURSE web_files CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/web" "${PROJECT_SOURCE_DIR}/web/*")
set(web_outputs "")
foreach(file IN LISTS web_files)
  set(out "${PROJECT_BINARY_DIR}/${file}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -E copy "${PROJECT_SOURCE_DIR}/web/${file}" "${out}"
    DEPENDS "${PROJECT_SOURCE_DIR}/web/${file}"
    VERBATIM)
  list(APPEND web_outputs "${out}")
endforeach()
add_custom_target(web_files ALL DEPENDS ${web_outputs})
