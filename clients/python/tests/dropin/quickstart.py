# The Python LEANN's README quick start, as written there (only the model: the README's Hugging Face
# model becomes an OpenAI-compatible one, reached through OPENAI_BASE_URL), plus printing.
from leann import LeannBuilder, LeannSearcher, LeannChat
from pathlib import Path
INDEX_PATH = str(Path("./").resolve() / "demo.leann")

# Build an index
builder = LeannBuilder(backend_name="hnsw")
builder.add_text("LEANN saves 97% storage compared to traditional vector databases.")
builder.add_text("Tung Tung Tung Sahur called—they need their banana‑crocodile hybrid back")
builder.build_index(INDEX_PATH)

# Search
searcher = LeannSearcher(INDEX_PATH)
results = searcher.search("fantastical AI-generated creatures", top_k=1)
for result in results:
    print(f"{result.score:.3f} {result.text}")

# Chat with your data
chat = LeannChat(INDEX_PATH, llm_config={"type": "openai", "model": "gpt-4o-mini"})
response = chat.ask("How much storage does LEANN save?", top_k=1)
print(response)
