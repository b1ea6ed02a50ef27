// Share links, the Embed dialog and the embed page's link back (share.h).
//
// Nothing from a link is trusted here: the codec (scenario/link.h) has
// already checked every value, and notices are drawn with TextUnformatted,
// never as a format string.
#include "app/share.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.h"  // anchor_item (test anchors)
#include "app/platform.h"
#include "core/json.h"
#include "imgui.h"
#include "imgui_internal.h"  // BringWindowToDisplayFront
#include "scenario/link.h"

namespace mantissa::app {
namespace {

// The hash follows edits once they pause this long, and at least this often
// while they go on (dragging a value): few replaceState calls, far below the
// browser's limit of 100 per 10 s.
constexpr double kHashDebounce = 0.3;  // seconds
constexpr double kHashMaxDelay = 1.0;
constexpr double kCopiedFeedback = 2.0;

struct EmbedSize {
  const char* name;
  int width, height;
};
constexpr EmbedSize kEmbedSizes[] = {
    {"Small (480 x 360)", 480, 360},
    {"Medium (640 x 480)", 640, 480},
    {"Large (800 x 560)", 800, 560},
    {"Wide (960 x 540)", 960, 540},
};
constexpr int kMinEmbedWidth = 320, kMaxEmbedWidth = 1600;
constexpr int kMinEmbedHeight = 240, kMaxEmbedHeight = 1200;

struct ShareState {
  bool started = false;
  bool embedded = false;
  Scenario seen;           // the scenario as of the last frame
  std::string written;     // the last hash written (or loaded)
  bool dirty = false;      // `seen` differs from what the URL holds
  double changed_at = 0;   // when it last changed
  double dirty_since = 0;  // when it first differed
  std::vector<std::string> notices;
  bool show_notices = false;
  double copied_at = -1e9;
  // Embed dialog.
  bool embed_open = false;
  int size_index = 1;
  int width = kEmbedSizes[1].width, height = kEmbedSizes[1].height;
  bool preview_shown = false;
  std::string info_json;  // what window.mantissa.share() last reported
};

ShareState g;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* panel_title(ScenarioPanel p) {
  switch (p) {
    case ScenarioPanel::Inspector:
      return "Inspector";
    case ScenarioPanel::Addition:
      return "Addition";
    case ScenarioPanel::Training:
      return "Training";
    case ScenarioPanel::Landscape:
      return "Error landscape";
    case ScenarioPanel::Blocks:
      return "Blocks";
    case ScenarioPanel::Tensors:
      return "Inspect tensors";
    case ScenarioPanel::Accumulation:
      return "Accumulation";
    case ScenarioPanel::Network:
      return "Network";
  }
  return "Inspector";
}

std::string embed_url(const Scenario& s) {
  return platform_page_url("embed.html") + "#" + encode_link(s, LinkScope::ActivePanel);
}

std::string iframe_snippet(const Scenario& s, int width, int height) {
  const std::string title = std::string("Mantissa: ") + panel_title(s.panel);
  return "<iframe src=\"" + html_escape(embed_url(s)) + "\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" loading=\"lazy\" title=\"" + html_escape(title) +
         "\" style=\"border:0\"></iframe>";
}

// Keeps window.mantissa.share() current (only when something changed).
void publish_info(const Scenario& s) {
  JsonWriter w;
  w.begin_object();
  w.field("embedded", g.embedded);
  w.field("hash", g.written);
  w.key("notices").begin_array();
  for (const std::string& n : g.notices) w.value(n);
  w.end_array();
  w.field("embedOpen", g.embed_open);
  if (g.embed_open) w.field("snippet", iframe_snippet(s, g.width, g.height));
  w.end_object();
  if (w.str() != g.info_json) {
    g.info_json = w.str();
    platform_set_share_info(g.info_json);
  }
}

void load_hash(Scenario& s) {
  const std::string hash = platform_location_hash();
  DecodedLink link = decode_link(hash);
  s = std::move(link.scenario);
  g.notices = std::move(link.notices);
  g.show_notices = !g.notices.empty();
  g.seen = s;
  g.written = hash;
  g.dirty = false;
}

void write_hash(const Scenario& s) {
  const std::string hash = encode_link(s);
  if (g.embedded) {
    platform_set_open_link(hash);  // the embed's own URL never changes
  } else if (hash != g.written) {
    platform_replace_hash(hash);
  }
  g.written = hash;
  g.dirty = false;
}

void draw_notices() {
  if (!g.show_notices) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const float pad = ImGui::GetStyle().WindowPadding.x;
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x - pad,
                                 viewport->WorkPos.y + viewport->WorkSize.y - pad),
                          ImGuiCond_Always, ImVec2(1.0f, 1.0f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0),
                                      ImVec2(viewport->WorkSize.x * 0.6f, viewport->WorkSize.y * 0.5f));
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                      ImGuiWindowFlags_NoNav;
  if (ImGui::Begin("##link-notices", nullptr, kFlags)) {
    // Drawn before the full-window main window: keep it above that one.
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    ImGui::TextUnformatted("Parts of this link were ignored (those inputs keep their defaults):");
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40.0f);
    for (const std::string& n : g.notices) {
      ImGui::Bullet();
      ImGui::TextUnformatted(n.c_str());  // link text: never a format string
    }
    ImGui::PopTextWrapPos();
    if (ImGui::SmallButton("Dismiss")) g.show_notices = false;
  }
  ImGui::End();
}

void draw_embed_dialog(Scenario& s) {
  if (g.embed_open) ImGui::OpenPopup("Embed this scenario");
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(viewport->WorkSize.x * 0.8f, viewport->WorkSize.y * 0.85f),
                           ImGuiCond_Appearing);
  bool open = true;
  bool showing_preview = false;
  if (ImGui::BeginPopupModal("Embed this scenario", &open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::TextWrapped(
        "Paste this into a blog post or a page. The embed shows the %s panel with this scenario, loads "
        "lazily (when scrolled into view) and links back to the full playground.",
        panel_title(s.panel));
    ImGui::Spacing();
    ImGui::TextUnformatted("Size");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
    const char* preview_name = g.size_index >= 0 ? kEmbedSizes[g.size_index].name : "Custom";
    if (ImGui::BeginCombo("##embed-size", preview_name)) {
      for (int i = 0; i < static_cast<int>(std::size(kEmbedSizes)); ++i) {
        if (ImGui::Selectable(kEmbedSizes[i].name, i == g.size_index)) {
          g.size_index = i;
          g.width = kEmbedSizes[i].width;
          g.height = kEmbedSizes[i].height;
        }
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
    if (ImGui::InputInt("width", &g.width, 0)) g.size_index = -1;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
    if (ImGui::InputInt("height", &g.height, 0)) g.size_index = -1;
    g.width = std::clamp(g.width, kMinEmbedWidth, kMaxEmbedWidth);
    g.height = std::clamp(g.height, kMinEmbedHeight, kMaxEmbedHeight);

    std::string snippet = iframe_snippet(s, g.width, g.height);
    ImGui::InputTextMultiline("##snippet", snippet.data(), snippet.size() + 1,
                              ImVec2(-1.0f, ImGui::GetTextLineHeight() * 4.0f), ImGuiInputTextFlags_ReadOnly);
    if (ImGui::Button("Copy snippet")) {
      platform_copy_text(snippet);
      g.copied_at = ImGui::GetTime();
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) open = false;
    anchor_item("embed-close");
    if (ImGui::GetTime() - g.copied_at < kCopiedFeedback) {
      ImGui::SameLine();
      ImGui::TextDisabled("Copied");
    }

    // The preview: the real embed page, at its real CSS size, scaled down to
    // fit what is left of the dialog.
    ImGui::Separator();
    ImGui::TextDisabled("Preview");
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float ratio = platform_device_pixel_ratio();
    const float w_dev = g.width * ratio, h_dev = g.height * ratio;
    const float scale = std::min({1.0f, avail.x / std::max(w_dev, 1.0f), avail.y / std::max(h_dev, 1.0f)});
    if (scale > 0.05f) {
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::Dummy(ImVec2(w_dev * scale, h_dev * scale));
      ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + w_dev * scale, at.y + h_dev * scale),
                                          ImGui::GetColorU32(ImGuiCol_Border));
      platform_show_preview(embed_url(s), at.x, at.y, g.width, g.height, scale);
      showing_preview = true;
    }
    ImGui::EndPopup();
  }
  if (!open) g.embed_open = false;
  if (!showing_preview && g.preview_shown) platform_hide_preview();
  g.preview_shown = showing_preview;
}

}  // namespace

bool share_embedded() {
  if (!g.started) g.embedded = platform_embedded();
  return g.embedded;
}

const std::vector<std::string>& share_link_notices() { return g.notices; }

bool share_frame(Scenario& s) {
  bool loaded = false;
  const double now = ImGui::GetTime();
  if (!g.started) {
    g.started = true;
    g.embedded = platform_embedded();
    platform_take_hash_change();  // installs the hashchange listener
    load_hash(s);
    if (g.embedded) platform_set_open_link(encode_link(s));
    loaded = true;
  } else if (!g.embedded && platform_take_hash_change()) {
    // The user pasted another link into the address bar, or went back. (Our
    // own replaceState calls never fire hashchange.)
    load_hash(s);
    loaded = true;
  }

  if (!(s == g.seen)) {
    if (!g.dirty) g.dirty_since = now;
    g.seen = s;
    g.dirty = true;
    g.changed_at = now;
  }
  if (g.dirty && (now - g.changed_at >= kHashDebounce || now - g.dirty_since >= kHashMaxDelay)) write_hash(s);
  if (g.dirty) platform_share_wake();  // the app idles without input; the write must still happen

  draw_notices();
  publish_info(s);
  return loaded;
}

void draw_share_controls(Scenario& s) {
  if (ImGui::Button("Copy link")) {
    write_hash(s);  // the address bar shows what was copied
    platform_copy_text(platform_page_url("") + "#" + g.written);
    g.copied_at = ImGui::GetTime();
  }
  anchor_item("copy-link");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Copy a link to this exact scenario (it lives in the URL's #hash: nothing is sent to a server)");
  }
  ImGui::SameLine();
  if (ImGui::Button("Embed")) g.embed_open = true;
  anchor_item("embed");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An <iframe> snippet for a blog post or a page");
  if (!g.embed_open && ImGui::GetTime() - g.copied_at < kCopiedFeedback) {
    ImGui::SameLine();
    ImGui::TextDisabled("Link copied");
  }
  draw_embed_dialog(s);
}

}  // namespace mantissa::app
