// A library that declares the plugin API version but has no factory (wow_register_plugin): refused, file named.
extern "C" __attribute__((visibility("default"))) int wow_plugin_api_version() { return 1; }
