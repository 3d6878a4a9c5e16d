/* fuzz-aedat4.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "evs-fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Everything after the magic line.  Seeds: tests/fuzz/make-aedat4-seeds.py
 * cuts small files from the real fixtures. */
int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char magic[] = "#!AER-DAT4.0\r\n";

  evs_fuzz_read (magic, sizeof magic - 1, data, size);
  return 0;
}
