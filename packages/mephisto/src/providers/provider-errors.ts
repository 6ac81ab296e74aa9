/** The errors the provider registry raises: an unknown type, or one not implemented yet. */
import { MephistoError } from '../core/index.js';

/** `_provider_type` names no registered crowd provider. */
export class UnknownProviderTypeError extends MephistoError {
  constructor(
    readonly providerType: string,
    readonly available: readonly string[],
    readonly notAvailableYet: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_UNKNOWN_TYPE',
      `unknown provider type "${providerType}"; available: ${available.join(', ')}` +
        (notAvailableYet.length === 0 ? '' : ` (not available yet: ${notAvailableYet.join(', ')})`),
    );
  }
}

/** A Mephisto provider type that mephisto-ts knows the config of but does not implement yet. */
export class ProviderNotAvailableError extends MephistoError {
  constructor(
    readonly providerType: string,
    readonly available: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_TYPE_NOT_AVAILABLE',
      `provider type "${providerType}" is not available in mephisto-ts yet; available: ${available.join(', ')}`,
    );
  }
}
