/* evs-pipeline-private.h
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

#pragma once

#include "evs-pipeline.h"
#include "evs-chunk-facts-private.h"

G_BEGIN_DECLS

gsize _evs_pipeline_process_with_facts (EvsPipeline         *self,
                                        EvsEventChunk       *chunk,
                                        const EvsChunkFacts *facts);

G_END_DECLS
