#include "ui/palette.hpp"

#include <filesystem>

#include <array>
#include <cstddef>

namespace shmscope {

namespace {

constexpr ImU32 rgb(std::uint32_t hex) {
  return IM_COL32((hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, 0xFF);
}

// Okabe-Ito: orange E69F00, sky blue 56B4E9, bluish green 009E73, yellow F0E442,
// blue 0072B2 (lightened to 3A8EDB so it reads on a dark background), vermillion D55E00,
// reddish purple CC79A7. Greys for "nothing going on".
const std::array<UiColourInfo, static_cast<std::size_t>(UiColour::Count)> kColours = {{
    {"free", rgb(0x009E73)},
    {"held", rgb(0xE69F00)},
    {"held, others waiting", rgb(0xD55E00)},
    {"waiting", rgb(0x3A8EDB)},
    {"signalled", rgb(0xF0E442)},
    {"clear", rgb(0x4A505A)},
    {"alive", rgb(0x009E73)},
    {"dead", rgb(0xD55E00)},
    {"CORRUPT", rgb(0xD55E00)},
    {"injected", rgb(0xCC79A7)},
    {"changed", rgb(0xF0E442)},
    {"selected", rgb(0x3A8EDB)},
    {"highlighted", rgb(0x56B4E9)},
    {"viewing the past", rgb(0xCC79A7)},
    {"parent", rgb(0x56B4E9)},
    {"child", rgb(0xE69F00)},
    {"observer", rgb(0xA0A0A0)},
    {"", rgb(0xE8E8E8)},
    {"", rgb(0x9098A0)},
    {"ok", rgb(0x009E73)},
}};

}  // namespace

const UiColourInfo& colour_info(UiColour c) {
  auto i = static_cast<std::size_t>(c);
  if (i >= kColours.size()) i = static_cast<std::size_t>(UiColour::Text);
  return kColours[i];
}

ImVec4 colour_vec4(UiColour c) {
  return ImGui::ColorConvertU32ToFloat4(colour_u32(c));
}

ImU32 colour_with_alpha(UiColour c, float alpha) {
  if (alpha < 0) alpha = 0;
  if (alpha > 1) alpha = 1;
  ImU32 base = colour_u32(c) & ~IM_COL32_A_MASK;
  return base | (static_cast<ImU32>(alpha * 255.0f) << IM_COL32_A_SHIFT);
}

UiColour role_colour(shmipc::Role role) {
  switch (role) {
    case shmipc::Role::Parent:
      return UiColour::Parent;
    case shmipc::Role::Child:
      return UiColour::Child;
    default:
      return UiColour::OtherRole;
  }
}

void apply_monitor_style(float scale) {
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 6;
  s.FrameRounding = 4;
  s.GrabRounding = 4;
  s.WindowPadding = ImVec2(10, 10);
  s.FramePadding = ImVec2(8, 4);
  s.ItemSpacing = ImVec2(8, 6);
  s.CellPadding = ImVec2(6, 3);
  s.Colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.0f);
  s.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.22f, 0.32f, 1.0f);
  s.Colors[ImGuiCol_TitleBg] = ImVec4(0.13f, 0.16f, 0.22f, 1.0f);
  if (scale > 0 && scale != 1.0f) s.ScaleAllSizes(scale);
}

void add_monitor_font(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  static const ImWchar kRanges[] = {0x0020, 0x024F,  // Latin-1 and Latin Extended A/B
                                    0x0370, 0x03FF,  // Greek
                                    0x0400, 0x04FF,  // Cyrillic
                                    0x2010, 0x2027,  // dashes, quotes, ellipsis
                                    0x2190, 0x21FF,  // arrows
                                    0x25A0, 0x25FF,  // geometric shapes
                                    0x2700, 0x27BF,  // dingbats (check mark, crosses)
                                    0};
  std::error_code ec;
  if (std::filesystem::exists(kFont, ec) &&
      io.Fonts->AddFontFromFileTTF(kFont, 15.0f * scale, nullptr, kRanges) != nullptr)
    return;
  ImFontConfig config;
  config.SizePixels = 13.0f * scale;
  io.Fonts->AddFontDefault(&config);
}

}  // namespace shmscope
