#include "app/layout_probe.h"

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "imgui.h"
#include "imgui_internal.h"

namespace mantissa::app {
namespace {

struct Item {
  ImGuiID id;
  ImRect rect;
  const char* window;  // ImGuiWindow::Name: lives as long as the window
  bool scrolls;
  float scroll_x0, scroll_x1;
};
std::vector<Item> g_items;
std::unordered_map<ImGuiID, std::string> g_labels;

// The horizontally scrolling region an item lies in, if any: a window (or
// one of its parents) that scrolls sideways, or a tab bar whose tabs do.
bool scroll_region(ImGuiContext& g, const ImRect& bb, float* x0, float* x1) {
  if (ImGuiTabBar* bar = g.CurrentTabBar) {
    if (bb.Min.y >= bar->BarRect.Min.y - 1 && bb.Max.y <= bar->BarRect.Max.y + 1) {
      *x0 = bar->BarRect.Min.x;
      *x1 = bar->BarRect.Max.x;
      return true;
    }
  }
  for (ImGuiWindow* w = g.CurrentWindow; w; w = w->ParentWindow) {
    if (w->ScrollMax.x > 0.0f) {
      *x0 = w->InnerClipRect.Min.x;
      *x1 = w->InnerClipRect.Max.x;
      return true;
    }
    if (!(w->Flags & ImGuiWindowFlags_ChildWindow)) break;
  }
  return false;
}

// A glyph's place in the font atlas, to tell text quads from other shapes
// in the draw data (rectangles use the white pixel, lines the line texture).
struct AtlasGlyph {
  unsigned int codepoint;
  float u1;
};
uint64_t uv_key(float u, float v) {
  uint32_t a, b;
  std::memcpy(&a, &u, 4);
  std::memcpy(&b, &v, 4);
  return (static_cast<uint64_t>(a) << 32) | b;
}

struct Glyph {
  ImRect quad;     // as drawn
  ImRect visible;  // quad within its clip rectangle
  size_t run;
};
struct Run {
  std::string text;
  ImRect rect;
  const char* window;
  bool cut = false;
  bool overlay = false;  // a tooltip or popup: drawn over the page on purpose
};

void append_utf8(std::string* s, unsigned int c) {
  if (c < 0x80) {
    s->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (c >> 6)));
    s->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xE0 | (c >> 12)));
    s->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

void rect_json(JsonWriter& w, const ImRect& r, float ratio) {
  w.begin_array();
  for (float v : {r.Min.x, r.Min.y, r.Max.x, r.Max.y}) w.value(static_cast<double>(v / ratio));
  w.end_array();
}

// Reads the text runs back from the last frame's draw data. ImFont::RenderText
// emits each glyph as one quad: indices (a, a+1, a+2, a, a+2, a+3) whose first
// vertex carries the glyph's (U0, V0).
void collect_text(std::vector<Run>* runs, std::vector<Glyph>* glyphs) {
  std::unordered_map<uint64_t, AtlasGlyph> atlas;
  for (ImFont* font : ImGui::GetIO().Fonts->Fonts) {
    for (const ImFontGlyph& g : font->Glyphs) {
      if (g.Visible) atlas[uv_key(g.U0, g.V0)] = {g.Codepoint, g.U1};
    }
  }
  const ImDrawData* dd = ImGui::GetDrawData();
  if (!dd || !dd->Valid) return;
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    const ImDrawList* list = dd->CmdLists[l];
    const char* owner = list->_OwnerName ? list->_OwnerName : "";
    const ImGuiWindow* window = ImGui::FindWindowByName(owner);
    const bool overlay = window && (window->Flags & (ImGuiWindowFlags_Tooltip | ImGuiWindowFlags_Popup)) != 0;
    // Text cut at the sides of a window that scrolls sideways (a wide table)
    // is not lost: the reader scrolls to it.
    const bool scrolls_x = window && window->ScrollMax.x > 0.0f;
    const ImDrawVert* vtx = list->VtxBuffer.Data;
    const ImDrawIdx* idx = list->IdxBuffer.Data;
    size_t open_run = SIZE_MAX;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) continue;
      const ImRect clip(cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w);
      const ImDrawIdx* ix = idx + cmd.IdxOffset;
      const ImDrawVert* vx = vtx + cmd.VtxOffset;
      for (unsigned int i = 0; i + 6 <= cmd.ElemCount;) {
        const ImDrawIdx a = ix[i];
        const bool quad = ix[i + 1] == a + 1 && ix[i + 2] == a + 2 && ix[i + 3] == a && ix[i + 4] == a + 2 &&
                          ix[i + 5] == a + 3;
        auto found = quad ? atlas.find(uv_key(vx[a].uv.x, vx[a].uv.y)) : atlas.end();
        if (found == atlas.end()) {
          i += 3;
          continue;
        }
        i += 6;
        const ImRect q(vx[a].pos, vx[a + 2].pos);
        const float h = q.GetHeight();
        Glyph g{q, q, 0};
        g.visible.ClipWithFull(clip);
        // Cut sideways: part of the quad lies left or right of the clip
        // rectangle, or the quad was already trimmed on the CPU (its right U
        // short of the glyph's). Cuts at the top or bottom are scrolling.
        const bool cut =
            !scrolls_x && ((g.visible.GetWidth() < q.GetWidth() - 1.0f && g.visible.GetHeight() > 0) ||
                           vx[a + 2].uv.x < found->second.u1 - 1e-6f);
        // A run goes on while glyphs follow each other on one line (word
        // gaps included); a glyph that starts well inside the previous one
        // was drawn over it, so it opens a run of its own.
        bool joins = false;
        if (open_run != SIZE_MAX) {
          const Glyph& prev = glyphs->back();
          const float ph = prev.quad.GetHeight();
          const float em = std::max(h, ph);
          joins = std::abs(q.GetCenter().y - prev.quad.GetCenter().y) < 0.5f * em &&
                  q.Min.x >= prev.quad.Max.x - 0.2f * em && q.Min.x <= prev.quad.Max.x + 0.5f * em;
        }
        if (!joins) {
          runs->push_back({"", q, owner, false, overlay});
          open_run = runs->size() - 1;
        }
        Run& run = (*runs)[open_run];
        // Spaces draw nothing: a gap of a quarter em stands for one.
        if (joins &&
            q.Min.x > glyphs->back().quad.Max.x + 0.25f * std::max(h, glyphs->back().quad.GetHeight())) {
          run.text.push_back(' ');
        }
        run.rect.Add(q);
        run.cut = run.cut || cut;
        append_utf8(&run.text, found->second.codepoint);
        g.run = open_run;
        glyphs->push_back(g);
      }
    }
  }
}

}  // namespace

void layout_probe_install() { ImGui::GetCurrentContext()->TestEngineHookItems = true; }

void layout_probe_new_frame() {
  g_items.clear();
  g_labels.clear();
}

std::string layout_probe_json(float ratio) {
  std::vector<Run> runs;
  std::vector<Glyph> glyphs;
  collect_text(&runs, &glyphs);
  const ImVec2 display = ImGui::GetIO().DisplaySize;

  JsonWriter w;
  w.begin_object();
  w.key("viewport").begin_array();
  w.value(static_cast<double>(display.x / ratio));
  w.value(static_cast<double>(display.y / ratio));
  w.end_array();

  w.key("items").begin_array();
  for (const Item& it : g_items) {
    w.begin_object();
    auto label = g_labels.find(it.id);
    w.field("label", label != g_labels.end() ? label->second : std::string());
    w.key("rect");
    rect_json(w, it.rect, ratio);
    w.field("window", it.window);
    w.key("scroll");
    if (it.scrolls) {
      rect_json(w, ImRect(it.scroll_x0, 0, it.scroll_x1, 0), ratio);
    } else {
      w.null();
    }
    w.end_object();
  }
  w.end_array();

  w.key("texts").begin_array();
  for (const Run& r : runs) {
    if (r.overlay) continue;
    w.begin_object();
    w.field("text", r.text);
    w.key("rect");
    rect_json(w, r.rect, ratio);
    w.field("window", r.window);
    w.field("cut", r.cut);
    w.end_object();
  }
  w.end_array();

  // Glyphs of different runs drawn over each other (overprinted text), by
  // their visible parts; more than a pixel each way, so that touching
  // antialiased edges do not count.
  w.key("overlaps").begin_array();
  const float slack = ratio;
  for (size_t i = 0; i < glyphs.size(); ++i) {
    const Glyph& a = glyphs[i];
    if (runs[a.run].overlay || a.visible.GetWidth() <= 0 || a.visible.GetHeight() <= 0) continue;
    for (size_t j = i + 1; j < glyphs.size(); ++j) {
      const Glyph& b = glyphs[j];
      if (b.run == a.run || runs[b.run].overlay) continue;
      ImRect both = a.visible;
      both.ClipWithFull(b.visible);
      if (both.GetWidth() <= slack || both.GetHeight() <= slack) continue;
      w.begin_array();
      w.value(runs[a.run].text);
      w.value(runs[b.run].text);
      w.end_array();
      break;  // one report per glyph is enough
    }
  }
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace mantissa::app

// --- Dear ImGui's item hooks (IMGUI_ENABLE_TEST_ENGINE) ----------------------------
// ImGui calls these for every item with an ID while TestEngineHookItems is on.

void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, const ImRect& bb, ImGuiID id) {
  using namespace mantissa::app;
  ImGuiContext& g = *ctx;
  if (!g.CurrentWindow) return;
  // ButtonBehavior reports an item that ItemAdd already did: keep one.
  if (!g_items.empty() && g_items.back().id == id) return;
  Item it{id, bb, g.CurrentWindow->Name, false, 0, 0};
  it.scrolls = scroll_region(g, bb, &it.scroll_x0, &it.scroll_x1);
  g_items.push_back(it);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext*, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
  if (!label) return;
  const char* end = std::strstr(label, "##");
  mantissa::app::g_labels[id] = end ? std::string(label, end) : std::string(label);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }
