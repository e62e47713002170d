/* The other definition of Config (see inspect_ring.c). */
typedef struct {
  double b;
  char c;
} Config;
Config g_config_b = {2.0, 'c'};
