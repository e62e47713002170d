// The Metrics panel: message rate over the last minute, hand-off latency, mutex hold times.
#include <imgui.h>

#include <cstdio>

#include "panels/metrics_view.hpp"
#include "panels/panels.hpp"
#include "panels/view_text.hpp"
#include "ui/palette.hpp"

namespace shmscope {

namespace {

void draw_histogram(const char* title, const Histogram& h, UiColour colour, float height) {
  ImGui::TextUnformatted(title);
  ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", h.summary.c_str());
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, colour_vec4(colour));
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "0 .. %s",
                duration_text(static_cast<std::uint64_t>(h.max_value * 1000.0)).c_str());
  ImGui::PlotHistogram(title[0] == 'H' ? "##latency" : "##hold", h.counts.data(),
                       static_cast<int>(h.counts.size()), 0, h.samples ? overlay : nullptr, 0.0f,
                       FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, height));
  ImGui::PopStyleColor();
}

}  // namespace

void draw_metrics_panel(const PanelInput& in, UiState& /*ui*/, PanelOutput& /*out*/) {
  if (!ImGui::Begin("Metrics")) {
    ImGui::End();
    return;
  }
  const MetricsView v = make_metrics_view(in);
  if (!v.known) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "No session attached.");
    ImGui::End();
    return;
  }
  // Three plots side by side: the panel is a wide strip under the sequence diagram.
  if (ImGui::BeginTable("metrics", 3, ImGuiTableFlags_BordersInnerV)) {
    const float h = std::max(
        40.0f, ImGui::GetContentRegionAvail().y - 2 * ImGui::GetTextLineHeightWithSpacing() - 8);
    ImGui::TableNextColumn();
    ImGui::Text("Delivered: %s", v.rate.c_str());
    ImGui::TextColored(colour_vec4(UiColour::Muted), "messages read per second, last 60 s");
    ImGui::PushStyleColor(ImGuiCol_PlotLines, colour_vec4(UiColour::Parent));
    ImGui::PlotLines("##rate", v.rate_series.data(), static_cast<int>(v.rate_series.size()), 0,
                     nullptr, 0.0f, FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, h));
    ImGui::PopStyleColor();
    ImGui::TableNextColumn();
    draw_histogram("Hand-off latency (written -> read)", v.latency, UiColour::Waiting, h);
    ImGui::TableNextColumn();
    draw_histogram("Mutex hold time", v.hold, UiColour::Held, h);
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace shmscope
