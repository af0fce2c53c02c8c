package io.leann.embed.remote;

/**
 * Who is on the other end, for error messages that say what to fix.
 *
 * @param name as users know it ("OpenAI")
 * @param keyVariables the environment variable(s) holding the API key, or null for none
 * @param urlVariable the environment variable choosing the server, or null for none
 */
record Provider(String name, String keyVariables, String urlVariable) {

  static final Provider OPENAI = new Provider("OpenAI", "OPENAI_API_KEY", "OPENAI_BASE_URL");
  static final Provider OLLAMA = new Provider("Ollama", null, "OLLAMA_HOST");
  static final Provider GEMINI = new Provider("Gemini", "GEMINI_API_KEY or GOOGLE_API_KEY", "GEMINI_BASE_URL");
}
