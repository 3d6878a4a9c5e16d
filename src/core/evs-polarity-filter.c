/* evs-polarity-filter.c
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

#define G_LOG_DOMAIN "evs-polarity-filter"

#include "config.h"

#include "evs-polarity-filter.h"

/* Keeps only ON (p = 1) or only OFF (p = 0) events. */

struct _EvsPolarityFilter
{
  EvsFilter       parent_instance;
  EvsPolarityKeep keep;
};

enum {
  PROP_0,
  PROP_KEEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsPolarityFilter, evs_polarity_filter, EVS_TYPE_FILTER)

GType
evs_polarity_keep_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { EVS_POLARITY_KEEP_ON, "EVS_POLARITY_KEEP_ON", "on" },
        { EVS_POLARITY_KEEP_OFF, "EVS_POLARITY_KEEP_OFF", "off" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static ("EvsPolarityKeep", values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static void
evs_polarity_filter_process (EvsFilter           *filter,
                             const EvsEventChunk *chunk,
                             guint8              *keep)
{
  EvsPolarityFilter *self = (EvsPolarityFilter *) filter;
  const guint8 *p = chunk->p;
  const guint8 want = self->keep == EVS_POLARITY_KEEP_ON ? 1 : 0;
  gsize n = chunk->n_events;

  for (gsize i = 0; i < n; i++)
    keep[i] = (p[i] & 1) == want;
}

static gboolean
evs_polarity_filter_refine (EvsFilter           *filter,
                            const EvsEventChunk *chunk,
                            guint8              *keep)
{
  EvsPolarityFilter *self = (EvsPolarityFilter *) filter;
  const guint8 *p = chunk->p;
  const guint8 want = self->keep == EVS_POLARITY_KEEP_ON ? 1 : 0;
  gsize n = chunk->n_events;

  for (gsize i = 0; i < n; i++)
    keep[i] &= (p[i] & 1) == want;
  return TRUE;
}

static void
evs_polarity_filter_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EvsPolarityFilter *self = EVS_POLARITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_KEEP:
      g_value_set_enum (value, self->keep);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_polarity_filter_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EvsPolarityFilter *self = EVS_POLARITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_KEEP:
      if ((int) self->keep != g_value_get_enum (value))
        {
          self->keep = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_polarity_filter_class_init (EvsPolarityFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->get_property = evs_polarity_filter_get_property;
  object_class->set_property = evs_polarity_filter_set_property;

  filter_class->type_name = "polarity";
  filter_class->process = evs_polarity_filter_process;
  filter_class->refine = evs_polarity_filter_refine;

  properties[PROP_KEEP] =
    g_param_spec_enum ("keep", NULL, NULL, EVS_TYPE_POLARITY_KEEP, EVS_POLARITY_KEEP_ON,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_polarity_filter_init (EvsPolarityFilter *self)
{
  self->keep = EVS_POLARITY_KEEP_ON;
}

EvsFilter *
evs_polarity_filter_new (void)
{
  return g_object_new (EVS_TYPE_POLARITY_FILTER, NULL);
}
