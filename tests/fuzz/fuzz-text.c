/* fuzz-text.c
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

/* Text is detected by content: the input is the whole file.  Seeds:
 * tests/fuzz/corpus/text. */
int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  evs_fuzz_read ("", 0, data, size);
  return 0;
}
