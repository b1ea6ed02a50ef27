// Share links and embed mode in the playground: what the top bar calls.
//
//   // once per frame, inside the ImGui frame, before the panels draw:
//   share_frame(app.scenario);
//   // in the top bar:
//   draw_share_controls(app.scenario);
//
// share_frame loads the page's hash into the scenario on the first frame (and
// again when the user pastes another link: hashchange), keeps the hash
// current while the user edits (history.replaceState, debounced: no history
// entries, no hashchange events), and draws a dismissable notice naming the
// parts of a link that were ignored. Embedded (embed.html), it never rewrites
// the URL: it keeps the page's "Open in Mantissa" link current instead.
//
// The codec is scenario/link.h; the browser calls go through platform.h.
#pragma once
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace mantissa::app {

// "Copy link" and "Embed" buttons (on one line, SameLine between them), and
// the Embed dialog (size picker, iframe snippet, live preview) when open.
void draw_share_controls(Scenario& s);

// Every frame, inside the ImGui frame. Returns true on the frame a link was
// loaded into `s` (the caller may want to select the link's panel tab).
bool share_frame(Scenario& s);

// True when the page is the embed (embed.html, or index.html?embed): one
// panel, compact, no top bar. Set by the page before app.js loads.
bool share_embedded();

// The notices of the last link loaded (empty when it was read whole).
const std::vector<std::string>& share_link_notices();

}  // namespace mantissa::app
