#include "app/landscape_gpu.h"

#include <algorithm>
#include <cmath>

#include "embed/shader_landscape_draw_frag.h"
#include "embed/shader_landscape_error_frag.h"
#include "embed/shader_landscape_vert.h"
#include "imgui.h"

namespace mantissa::app::landscape {

Gpu g_gpu;

namespace {
GLuint compile(GLenum type, const unsigned char* source, std::string* error) {
  const GLuint s = glCreateShader(type);
  const char* text = reinterpret_cast<const char*>(source);
  glShaderSource(s, 1, &text, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    *error = std::string("shader: ") + log;
    glDeleteShader(s);
    return 0;
  }
  return s;
}

GLuint link(const unsigned char* vertex, const unsigned char* fragment, std::string* error) {
  const GLuint vs = compile(GL_VERTEX_SHADER, vertex, error);
  const GLuint fs = vs ? compile(GL_FRAGMENT_SHADER, fragment, error) : 0;
  if (!fs) return 0;
  const GLuint p = glCreateProgram();
  glAttachShader(p, vs);
  glAttachShader(p, fs);
  glLinkProgram(p);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(p, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetProgramInfoLog(p, sizeof log, nullptr, log);
    *error = std::string("program: ") + log;
    glDeleteProgram(p);
    return 0;
  }
  return p;
}

}  // namespace

void gpu_init() {
  if (g_gpu.tried) return;
  g_gpu.tried = true;
  g_gpu.error_program = link(shader_landscape_vert, shader_landscape_error_frag, &g_gpu.error);
  if (g_gpu.error_program)
    g_gpu.draw_program = link(shader_landscape_vert, shader_landscape_draw_frag, &g_gpu.error);
  glGenVertexArrays(1, &g_gpu.vao);
  glGenTextures(1, &g_gpu.error_texture);
  glGenTextures(1, &g_gpu.image_texture);
  glGenFramebuffers(1, &g_gpu.error_fbo);
  glGenFramebuffers(1, &g_gpu.image_fbo);
}

// (Re)allocates the two render targets when the plot's size changes.
void gpu_allocate(int columns, int formats, int height) {
  if (columns == g_gpu.columns && formats == g_gpu.formats && height == g_gpu.height) return;
  g_gpu.columns = columns, g_gpu.formats = formats, g_gpu.height = height;
  g_gpu.rendered.clear();
  GLint old_texture = 0, old_fbo = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &old_texture);
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &old_fbo);
  glBindTexture(GL_TEXTURE_2D, g_gpu.error_texture);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32UI, columns, formats, 0, GL_RGBA_INTEGER, GL_UNSIGNED_INT, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, g_gpu.error_fbo);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, g_gpu.error_texture, 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    g_gpu.error = "RGBA32UI target incomplete";
  glBindTexture(GL_TEXTURE_2D, g_gpu.image_texture);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, columns, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, g_gpu.image_fbo);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, g_gpu.image_texture, 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    g_gpu.error = "RGBA8 target incomplete";
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(old_texture));
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(old_fbo));
}

YAxis make_y_axis(const std::vector<FormatRow>& rows, bool log) {
  int pmin = 53, pmax = 1;
  for (const FormatRow& r : rows) {
    pmin = std::min(pmin, r.format.precision());
    pmax = std::max(pmax, std::min(r.format.precision(), 24));
  }
  if (rows.empty()) pmin = pmax = 11;
  YAxis y;
  y.log = log;
  if (log) {
    y.y0 = std::floor(std::log10(std::ldexp(1.0, -pmax - 2)));
    y.y1 = 0.35;
  } else {
    const double e = std::ldexp(1.0, -std::min(pmin, 24)) * 1.2;
    y.y0 = -e, y.y1 = e;
  }
  return y;
}

// Runs both passes into the render targets. Leaves GL as ImGui expects it.
void gpu_render(const XAxis& ax, const YAxis& ay, const std::vector<FormatRow>& rows, int height, bool dark) {
  GLint old_fbo = 0, old_program = 0, old_vao = 0, old_viewport[4] = {};
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &old_fbo);
  glGetIntegerv(GL_CURRENT_PROGRAM, &old_program);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &old_vao);
  glGetIntegerv(GL_VIEWPORT, old_viewport);
  const GLboolean blend = glIsEnabled(GL_BLEND), scissor = glIsEnabled(GL_SCISSOR_TEST);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glBindVertexArray(g_gpu.vao);

  // Pass 1: exact errors.
  const int n = static_cast<int>(rows.size());
  int man_bits[kMaxFormats] = {}, emin[kMaxFormats] = {}, emax[kMaxFormats] = {};
  GLuint max_sig[kMaxFormats] = {};
  for (int i = 0; i < n; ++i) {
    const Format& f = rows[i].format;
    man_bits[i] = f.man_bits;
    emin[i] = f.emin() + rows[i].scale_exp;  // a block row: the element's range times its scale
    emax[i] = f.emax() + rows[i].scale_exp;
    // The largest finite significand in units of the top binade's quantum.
    const int p = f.precision();
    max_sig[i] = p >= 32 ? 0xffffffffu : (uint32_t{1} << p) - (f.kind == FormatKind::Finite ? 2u : 1u);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, g_gpu.error_fbo);
  glViewport(0, 0, static_cast<GLsizei>(ax.columns), n);
  GLuint p = g_gpu.error_program;
  glUseProgram(p);
  glUniform1ui(glGetUniformLocation(p, "u_mode"), ax.log ? 0u : 1u);
  glUniform1ui(glGetUniformLocation(p, "u_lo"), ax.lo);
  glUniform1ui(glGetUniformLocation(p, "u_span"), ax.span);
  glUniform1i(glGetUniformLocation(p, "u_quantum_exp"), ax.quantum_exp);
  glUniform1ui(glGetUniformLocation(p, "u_positions"), ax.positions());
  glUniform1ui(glGetUniformLocation(p, "u_samples"), ax.samples);
  glUniform1iv(glGetUniformLocation(p, "u_man_bits"), kMaxFormats, man_bits);
  glUniform1iv(glGetUniformLocation(p, "u_emin"), kMaxFormats, emin);
  glUniform1iv(glGetUniformLocation(p, "u_emax"), kMaxFormats, emax);
  glUniform1uiv(glGetUniformLocation(p, "u_max_significand"), kMaxFormats, max_sig);
  glDrawArrays(GL_TRIANGLES, 0, 3);

  // Pass 2: the picture.
  glBindFramebuffer(GL_FRAMEBUFFER, g_gpu.image_fbo);
  glViewport(0, 0, static_cast<GLsizei>(ax.columns), height);
  p = g_gpu.draw_program;
  glUseProgram(p);
  glActiveTexture(GL_TEXTURE0);
  GLint old_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &old_texture);
  glBindTexture(GL_TEXTURE_2D, g_gpu.error_texture);
  glUniform1i(glGetUniformLocation(p, "u_errors"), 0);
  glUniform1i(glGetUniformLocation(p, "u_formats"), n);
  float colors[kMaxFormats * 3] = {};
  for (int i = 0; i < n; ++i) {
    const ImVec4 c = ImGui::ColorConvertU32ToFloat4(rows[i].color);
    colors[i * 3] = c.x, colors[i * 3 + 1] = c.y, colors[i * 3 + 2] = c.z;
  }
  glUniform3fv(glGetUniformLocation(p, "u_colors"), kMaxFormats, colors);
  glUniform1f(glGetUniformLocation(p, "u_height"), static_cast<float>(height));
  glUniform1ui(glGetUniformLocation(p, "u_log_y"), ay.log ? 1u : 0u);
  glUniform1f(glGetUniformLocation(p, "u_y0"), static_cast<float>(ay.y0));
  glUniform1f(glGetUniformLocation(p, "u_y1"), static_cast<float>(ay.y1));
  glClearColor(0, 0, 0, 0);
  glClear(GL_COLOR_BUFFER_BIT);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  (void)dark;

  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(old_texture));
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(old_fbo));
  glUseProgram(static_cast<GLuint>(old_program));
  glBindVertexArray(static_cast<GLuint>(old_vao));
  glViewport(old_viewport[0], old_viewport[1], old_viewport[2], old_viewport[3]);
  if (blend) glEnable(GL_BLEND);
  if (scissor) glEnable(GL_SCISSOR_TEST);
}

// Pass 1's texels (columns x formats x 4), read back for the test hook.
std::vector<uint32_t> gpu_read_errors() {
  std::vector<uint32_t> texels(static_cast<size_t>(g_gpu.columns) * g_gpu.formats * 4);
  if (!g_gpu.usable() || texels.empty()) return {};
  GLint old_fbo = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &old_fbo);
  glBindFramebuffer(GL_FRAMEBUFFER, g_gpu.error_fbo);
  glPixelStorei(GL_PACK_ALIGNMENT, 4);
  glReadPixels(0, 0, g_gpu.columns, g_gpu.formats, GL_RGBA_INTEGER, GL_UNSIGNED_INT, texels.data());
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(old_fbo));
  return texels;
}

}  // namespace mantissa::app::landscape
