/**
 * The commands behind {@code scripts/}, picocli commands that check every option and print one-line errors (exit
 * codes: 0 success, 1 the input was read and refused or the migration failed, 2 bad usage or an unreadable file).
 * This package holds what every command shares: sizes and times as users type them, the one-line refusal of a bad
 * option, and {@code --verbose}. The commands themselves are in {@code cli.migrate} ({@code scripts/migrate}) and
 * {@code cli.analyze} ({@code scripts/analyze-stream}, {@code scripts/qemu-guest}).
 *
 * <p>Levels (checked by {@code PackageOrderTest}): {@code cli}, then {@code cli.migrate} | {@code cli.analyze}, which
 * never use each other. They may use every package below them.
 */
package io.livemig.cli;
