# wow_add_plugin(name source...): one MODULE library named <name>.so, ready for `wow --plugin-dir` (or WOW_PLUGIN_PATH).
# Included by WoWFlowConfig.cmake, in the build tree and in an installed package alike.
function(wow_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE wow::wowcore)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden)
endfunction()
