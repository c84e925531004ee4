// Placeholder so that the module builds; replaced by the module's sources.
