// Layout that adapts to the width: on a phone (under about 600 CSS px) forms
// become one column with each label above its field, and rows of controls
// wrap onto the next line instead of running off the right edge.
#pragma once
#include <string>

namespace mantissa::app {

// True when the screen is phone-narrow (the main viewport under 600 CSS px).
bool narrow_layout();

// A field's label: to the left of the field on a wide screen, above it on a
// phone. Call it right before the field.
void field_label(const char* label);

// The width of a field: `wide` on a wide screen (never more than the room
// left), the whole row on a phone.
float field_width(float wide);

// Call between two items of a row: the next item (about `next_width` wide)
// goes on the same line when it fits, on a new line otherwise.
void same_line_or_wrap(float next_width, float spacing = -1.0f);

// The width of a button with this label (what same_line_or_wrap needs).
float button_width(const char* label);

}  // namespace mantissa::app
