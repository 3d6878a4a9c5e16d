/* evs-denoise-eval.h
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

#include <gio/gio.h>

#include "evs-pipeline.h"
#include "evs-synth.h"

G_BEGIN_DECLS

/**
 * EvsDenoiseScore:
 * @total: events of each label class (#EvsSynthLabel)
 * @kept: events of each class the pipeline kept
 *
 * How a pipeline treats labelled events.
 */
typedef struct
{
  guint64 total[EVS_SYNTH_N_LABELS];
  guint64 kept[EVS_SYNTH_N_LABELS];
} EvsDenoiseScore;

double   evs_denoise_score_get_tpr      (const EvsDenoiseScore  *score);
double   evs_denoise_score_get_fpr      (const EvsDenoiseScore  *score);
double   evs_denoise_score_get_kept     (const EvsDenoiseScore  *score,
                                         EvsSynthLabel           label);
gboolean evs_denoise_eval               (const char             *recording,
                                         const char             *labels,
                                         EvsPipeline * const    *pipelines,
                                         guint                   n_pipelines,
                                         EvsDenoiseScore        *scores,
                                         GCancellable           *cancellable,
                                         GError                **error);

G_END_DECLS
