// Empty: the source of wow_plugin_pch, the target whose precompiled header every plugin reuses (CMakeLists.txt).
