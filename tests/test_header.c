/*
 * test_header.c -- the public plugin header compiles alone, as a plugin
 * author would use it, under -std=c11 -pedantic -Werror (see Makefile.am),
 * and the descriptor keeps the layout the loader relies on: the ABI
 * version and struct size come first, at fixed offsets.
 */
#include <colink/plugin.h>

#include <stddef.h>
#include <stdio.h>

int main(void)
{
	int failed = 0;
	failed += offsetof(struct colink_plugin, abi_major) != 0;
	failed += offsetof(struct colink_plugin, abi_minor) != sizeof(int);
	failed += offsetof(struct colink_plugin, struct_size) < 2 * sizeof(int);
	failed += offsetof(struct colink_host, struct_size) != 0;
	failed += COLINK_ABI_MAJOR != 1;
	printf("%d passed, %d failed\n", 5 - failed, failed);
	return failed ? 1 : 0;
}
