"""The synthesize stage: a story's articles and annotations -> its dossier."""
