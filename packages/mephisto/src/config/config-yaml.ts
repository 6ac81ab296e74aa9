/**
 * Printing a config back as YAML: for a run's stored parameters (Mephisto keeps them as `init_params`)
 * and for showing the composed config (`--cfg job`-style).
 */
import { stringify } from 'yaml';

/**
 * The config as a YAML document. Keys keep their order; strings that would read back as another type
 * (`"3000"`, `"true"`) are quoted, so loading the text again gives the same values. Absent (undefined)
 * keys are left out.
 */
export function configToYaml(config: unknown): string {
  // lineWidth 0: never fold long strings (task descriptions), so the text diffs cleanly.
  // aliasDuplicateObjects false: a value used twice is written twice, not as an anchor and alias.
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}
