#include "seed/data.hpp"

#include <algorithm>
#include <cctype>

namespace se::seed {

namespace {

using T = std::vector<std::string>;

DishTemplate D(std::string name, std::string desc, int price, std::string cat, T tags = {},
               double prepared = 0.15, int prep = 12, std::string proteins = "") {
  return DishTemplate{std::move(name), std::move(desc), price, std::move(cat),
                      std::move(tags), prepared,        prep,  std::move(proteins)};
}

std::vector<Cuisine> make_cuisines() {
  std::vector<Cuisine> c;
  c.push_back(
      {"North Indian",
       14,
       {"Punjab", "Delhi", "Royal", "Maharaja", "Shahi", "Zaika", "Tandoor", "Amritsari", "Lahori",
        "Mughal"},
       {"Dhaba", "Darbar", "Rasoi", "Kitchen", "Grill", "Tadka", "Haveli", "Zaika"},
       {"north-indian", "curries", "tandoor"},
       {D("{p} Tikka", "Char-grilled {p} marinated in yogurt and spices", 260, "Starters",
          {"spicy"}, 0.1, 15, "PCMFT"),
        D("Tandoori Chicken", "Half bird roasted in the clay oven", 320, "Starters",
          {"spicy", "halal"}, 0.1, 20),
        D("Hara Bhara Kebab", "Spinach and pea patties, mint chutney", 210, "Starters",
          {"vegetarian"}, 0.2, 12),
        D("{p} Butter Masala", "Creamy tomato gravy, butter, kasuri methi", 300, "Mains", {}, 0.15,
          18, "PCM"),
        D("{p} Kadai", "Tossed with capsicum and onion in kadai masala", 290, "Mains", {"spicy"},
          0.15, 18, "PCMV"),
        D("Dal Makhani", "Black lentils slow-cooked overnight with cream", 240, "Mains",
          {"vegetarian"}, 0.4, 10),
        D("Chole Masala", "Chickpeas in a tangy onion-tomato gravy", 210, "Mains",
          {"vegetarian", "vegan"}, 0.4, 10),
        D("Palak {p}", "Spinach gravy with garlic tempering", 270, "Mains", {}, 0.2, 16, "PCT"),
        D("{p} Rogan Josh", "Kashmiri red chilli gravy", 340, "Mains", {"spicy"}, 0.2, 20, "CM"),
        D("Butter Naan", "Soft leavened bread from the tandoor", 60, "Breads", {"vegetarian"}, 0.05,
          6),
        D("Garlic Naan", "Naan topped with garlic and coriander", 75, "Breads", {"vegetarian"},
          0.05, 6),
        D("Tandoori Roti", "Whole-wheat flatbread", 35, "Breads", {"vegetarian", "vegan"}, 0.05, 5),
        D("Laccha Paratha", "Layered flaky paratha", 70, "Breads", {"vegetarian"}, 0.05, 7),
        D("Jeera Rice", "Basmati rice tempered with cumin", 160, "Rice", {"vegetarian", "vegan"},
          0.4, 8),
        D("{p} Pulao", "Fragrant basmati with whole spices", 220, "Rice", {}, 0.3, 15, "VP"),
        D("Gulab Jamun", "Two warm milk dumplings in syrup", 90, "Desserts", {"vegetarian"}, 0.8,
          3),
        D("Rasmalai", "Cottage cheese discs in saffron milk", 120, "Desserts", {"vegetarian"}, 0.8,
          3),
        D("Sweet Lassi", "Chilled yogurt drink", 90, "Drinks", {"vegetarian"}, 0.6, 3),
        D("Masala Chaas", "Spiced buttermilk", 60, "Drinks", {"vegetarian"}, 0.6, 2)}});
  c.push_back(
      {"South Indian",
       14,
       {"Udupi", "Sri", "Mylari", "Brahmin's", "Vidyarthi", "Annapoorna", "Kamath", "Adyar",
        "Malleshwaram", "Rameshwaram"},
       {"Bhavan", "Cafe", "Tiffins", "Upahara", "Sagar", "Kitchen", "Darshini", "Mess"},
       {"south-indian", "breakfast", "pure-veg"},
       {D("Masala Dosa", "Crisp rice crepe, potato palya, chutney and sambar", 90, "Breakfast",
          {"vegetarian", "bestseller"}, 0.0, 8),
        D("Benne Masala Dosa", "Butter-roasted Davangere style dosa", 110, "Breakfast",
          {"vegetarian"}, 0.0, 9),
        D("Rava Dosa", "Lacy semolina crepe with onions", 100, "Breakfast", {"vegetarian"}, 0.0,
          10),
        D("Idli Vada", "Two idlis and a medu vada with sambar", 70, "Breakfast", {"vegetarian"},
          0.5, 4),
        D("Ghee Podi Idli", "Mini idlis tossed in gunpowder and ghee", 90, "Breakfast",
          {"vegetarian", "spicy"}, 0.4, 5),
        D("Pongal", "Rice and moong dal with pepper and ghee", 80, "Breakfast", {"vegetarian"}, 0.6,
          4),
        D("Bisi Bele Bath", "Spiced rice, lentils and vegetables", 100, "Rice",
          {"vegetarian", "spicy"}, 0.7, 4),
        D("Curd Rice", "Tempered yogurt rice with pomegranate", 90, "Rice", {"vegetarian"}, 0.7, 3),
        D("Lemon Rice", "Turmeric rice with peanuts and curry leaves", 85, "Rice",
          {"vegetarian", "vegan", "contains-nuts"}, 0.7, 3),
        D("South Indian Thali", "Rice, sambar, rasam, two palyas, curd, sweet", 180, "Mains",
          {"vegetarian"}, 0.6, 6),
        D("Chow Chow Bath", "Khara bath and kesari bath together", 90, "Breakfast", {"vegetarian"},
          0.6, 4),
        D("Uttapam", "Thick rice pancake with onion and tomato", 100, "Breakfast", {"vegetarian"},
          0.0, 10),
        D("Kesari Bath", "Semolina sweet with ghee and saffron", 60, "Desserts",
          {"vegetarian", "contains-nuts"}, 0.8, 2),
        D("Mysore Pak", "Gram flour and ghee fudge", 70, "Desserts", {"vegetarian"}, 0.9, 1),
        D("Filter Coffee", "Chicory-blend coffee with frothed milk", 40, "Drinks",
          {"vegetarian", "bestseller"}, 0.2, 3),
        D("Badam Milk", "Almond milk with saffron", 70, "Drinks", {"vegetarian", "contains-nuts"},
          0.6, 3)}});
  c.push_back(
      {"Biryani",
       10,
       {"Paradise", "Nawab's", "Hyderabadi", "Dum", "Donne", "Ambur", "Lucknowi", "Shah Ghouse",
        "Meghana", "Empire"},
       {"Biryani House", "Biryani", "Foods", "Kitchen", "Dum Pukht", "Handi"},
       {"biryani", "halal"},
       {D("{p} Dum Biryani", "Layered basmati and {p}, slow-cooked on dum", 320, "Biryani",
          {"bestseller"}, 0.5, 10, "CMVPEF"),
        D("Donne {p} Biryani", "Bengaluru military-hotel style, in a leaf bowl", 280, "Biryani",
          {"spicy"}, 0.5, 10, "CM"),
        D("{p} Fry Piece Biryani", "Biryani with spicy fried {p}", 340, "Biryani", {"spicy"}, 0.4,
          12, "CF"),
        D("{p} 65", "Deep-fried, curry leaves and green chilli", 240, "Starters", {"spicy"}, 0.2,
          12, "CPV"),
        D("{p} Kebab", "Spiced and char-grilled", 260, "Starters", {}, 0.2, 15, "CM"),
        D("Mirchi Ka Salan", "Green chillies in peanut-sesame gravy", 140, "Sides",
          {"vegetarian", "spicy", "contains-nuts"}, 0.7, 3),
        D("Raita", "Onion and cucumber yogurt", 50, "Sides", {"vegetarian"}, 0.8, 2),
        D("Double Ka Meetha", "Bread pudding with saffron and nuts", 120, "Desserts",
          {"vegetarian", "contains-nuts"}, 0.8, 2),
        D("Phirni", "Ground rice pudding in a clay pot", 110, "Desserts", {"vegetarian"}, 0.8, 2),
        D("Rose Sherbet", "Chilled rose syrup with basil seeds", 80, "Drinks",
          {"vegetarian", "vegan"}, 0.6, 2)}});
  c.push_back(
      {"Chinese",
       9,
       {"Golden", "Dragon", "Beijing", "Mainland", "Wok", "Red", "Jade", "Shanghai", "Canton",
        "Bamboo"},
       {"Wok", "Dragon", "Express", "Kitchen", "Bowl", "House", "Garden"},
       {"chinese", "indo-chinese", "noodles"},
       {D("{p} Manchurian", "Crisp dumplings in soy-garlic sauce", 220, "Starters", {"spicy"}, 0.15,
          12, "VCP"),
        D("Chilli {p}", "Wok-tossed with peppers and green chilli", 250, "Starters", {"spicy"}, 0.1,
          12, "CPT"),
        D("{p} Spring Rolls", "Crisp rolls with dipping sauce", 190, "Starters", {}, 0.3, 10, "VC"),
        D("{p} Momos", "Steamed dumplings with red chutney", 170, "Starters", {}, 0.3, 12, "VCP"),
        D("{p} Hakka Noodles", "Stir-fried noodles with vegetables", 210, "Noodles", {}, 0.1, 10,
          "VCES"),
        D("Schezwan {p} Noodles", "Fiery Schezwan sauce noodles", 230, "Noodles", {"spicy"}, 0.1,
          10, "VC"),
        D("{p} Fried Rice", "Wok-fried rice with spring onion", 210, "Rice", {}, 0.1, 10, "VCES"),
        D("Kung Pao {p}", "Peanuts, dried chilli, Sichuan pepper", 290, "Mains",
          {"spicy", "contains-nuts"}, 0.1, 14, "CT"),
        D("{p} in Black Bean Sauce", "Stir-fried with fermented black beans", 300, "Mains", {}, 0.1,
          14, "CSFT"),
        D("Hot and Sour Soup", "Tangy, peppery, with vegetables", 140, "Soups",
          {"vegetarian", "spicy"}, 0.5, 6),
        D("Sweet Corn Soup", "Creamy corn soup", 130, "Soups", {"vegetarian"}, 0.5, 6),
        D("Honey Chilli Potato", "Crisp potato in honey-chilli glaze", 190, "Starters",
          {"vegetarian"}, 0.1, 10),
        D("Date Pancake", "With vanilla ice cream", 160, "Desserts", {"vegetarian"}, 0.3, 8),
        D("Iced Lemon Tea", "Fresh brewed, lightly sweet", 90, "Drinks", {"vegan"}, 0.6, 2)}});
  c.push_back(
      {"Pizza",
       7,
       {"Napoli", "Slice", "Brick Oven", "Crust", "Little", "Mama's", "Roma", "Fire", "Doughy",
        "Stone"},
       {"Pizzeria", "Pizza Co.", "Pizza Bar", "Slice Shop", "Pizza Kitchen"},
       {"pizza", "italian", "fast-food"},
       {D("Margherita Pizza", "San Marzano tomato, fior di latte, basil", 350, "Pizzas",
          {"vegetarian", "bestseller"}, 0.05, 14),
        D("Farmhouse Pizza", "Onion, capsicum, mushroom, tomato", 420, "Pizzas", {"vegetarian"},
          0.05, 15),
        D("Pepperoni Pizza", "Spicy pepperoni and mozzarella", 520, "Pizzas", {}, 0.05, 15),
        D("{p} Tikka Pizza", "Indian-style tikka topping", 480, "Pizzas", {"spicy"}, 0.05, 15,
          "PC"),
        D("BBQ Chicken Pizza", "Smoky barbecue chicken, red onion", 510, "Pizzas", {}, 0.05, 15),
        D("Four Cheese Pizza", "Mozzarella, gorgonzola, parmesan, cheddar", 540, "Pizzas",
          {"vegetarian"}, 0.05, 14),
        D("Veggie Supreme Pizza", "Olives, jalapenos, corn, peppers", 460, "Pizzas", {"vegetarian"},
          0.05, 15),
        D("Garlic Bread", "With herb butter", 150, "Sides", {"vegetarian"}, 0.3, 8),
        D("Cheesy Garlic Bread", "Loaded with mozzarella", 190, "Sides", {"vegetarian"}, 0.3, 8),
        D("Potato Wedges", "Seasoned and baked", 140, "Sides", {"vegan"}, 0.3, 8),
        D("Choco Lava Cake", "Molten chocolate centre", 130, "Desserts", {"vegetarian"}, 0.9, 3),
        D("Tiramisu", "Mascarpone, espresso, cocoa", 220, "Desserts", {"vegetarian"}, 0.9, 2),
        D("Cola", "330 ml can", 60, "Drinks", {"vegan"}, 1.0, 1)}});
  c.push_back(
      {"Burgers",
       6,
       {"Big", "Smash", "Truffle", "Grill", "Bun", "Patty", "Stacked", "Junkyard", "Prime",
        "Brooklyn"},
       {"Burgers", "Burger Co.", "Shack", "Joint", "Grill", "Diner"},
       {"burgers", "american", "fast-food"},
       {D("Classic {p} Burger", "Lettuce, tomato, pickles, house sauce", 220, "Burgers",
          {"bestseller"}, 0.05, 10, "CVP"),
        D("Double Smash {p} Burger", "Two smashed patties, cheddar, onions", 340, "Burgers", {},
          0.05, 12, "CV"),
        D("Spicy Crispy Chicken Burger", "Buttermilk-fried chicken, chilli mayo", 280, "Burgers",
          {"spicy"}, 0.05, 12),
        D("Mushroom Swiss Burger", "Sauteed mushrooms, Swiss cheese", 300, "Burgers",
          {"vegetarian"}, 0.05, 12),
        D("Peri Peri Fries", "Fries tossed in peri peri", 140, "Sides", {"vegan", "spicy"}, 0.3, 6),
        D("Loaded Cheese Fries", "Cheese sauce, jalapenos", 190, "Sides", {"vegetarian"}, 0.2, 7),
        D("Onion Rings", "Beer-battered", 150, "Sides", {"vegetarian"}, 0.3, 7),
        D("Chicken Wings", "Six wings, hot sauce or BBQ", 290, "Starters", {"spicy"}, 0.1, 14),
        D("Oreo Shake", "Thick shake with cookies", 180, "Drinks", {"vegetarian"}, 0.1, 5),
        D("Brownie Sundae", "Warm brownie, vanilla ice cream", 190, "Desserts",
          {"vegetarian", "contains-nuts"}, 0.6, 4)}});
  c.push_back(
      {"Italian",
       5,
       {"Trattoria", "Little", "Casa", "Olive", "Basil", "Tuscany", "Via", "Osteria", "Piccolo",
        "Bella"},
       {"Italia", "Cucina", "Kitchen", "Bistro", "Trattoria"},
       {"italian", "pasta", "premium"},
       {D("Penne Arrabbiata", "Spicy tomato, garlic, chilli", 340, "Pasta", {"vegan", "spicy"},
          0.05, 14),
        D("Spaghetti Aglio Olio", "Garlic, olive oil, chilli flakes", 320, "Pasta", {"vegan"}, 0.05,
          12),
        D("Fettuccine Alfredo with {p}", "Parmesan cream sauce", 420, "Pasta", {}, 0.05, 15, "VCS"),
        D("Lasagne {p}", "Layered, baked with bechamel", 460, "Pasta", {}, 0.3, 20, "VC"),
        D("Risotto ai Funghi", "Arborio, porcini, parmesan", 480, "Mains",
          {"vegetarian", "gluten-free"}, 0.05, 22),
        D("Bruschetta", "Tomato, basil, garlic on sourdough", 240, "Starters", {"vegan"}, 0.2, 8),
        D("Caprese Salad", "Tomato, mozzarella, basil, balsamic", 320, "Salads",
          {"vegetarian", "gluten-free"}, 0.2, 6),
        D("Minestrone", "Vegetable and bean soup", 220, "Soups", {"vegan"}, 0.5, 6),
        D("Panna Cotta", "Vanilla cream, berry compote", 240, "Desserts",
          {"vegetarian", "gluten-free"}, 0.9, 2),
        D("Affogato", "Espresso over gelato", 200, "Desserts", {"vegetarian"}, 0.2, 3),
        D("Italian Soda", "Sparkling, lemon or blood orange", 150, "Drinks", {"vegan"}, 0.6, 2)}});
  c.push_back({"Japanese",
               3,
               {"Sakura", "Tokyo", "Koi", "Zen", "Umami", "Kaze", "Hana", "Matsu", "Yuzu", "Ramen"},
               {"Sushi Bar", "Izakaya", "Ramen House", "Kitchen", "Sushi"},
               {"japanese", "sushi", "premium"},
               {D("Salmon Nigiri", "Two pieces", 420, "Sushi", {"gluten-free"}, 0.0, 10),
                D("California Roll", "Crab stick, avocado, cucumber", 480, "Sushi", {}, 0.0, 12),
                D("Spicy Tuna Roll", "Tuna, sriracha mayo", 560, "Sushi", {"spicy"}, 0.0, 12),
                D("Avocado Maki", "Six pieces", 360, "Sushi", {"vegan"}, 0.0, 10),
                D("{p} Ramen", "Rich broth, noodles, soft egg", 520, "Noodles", {}, 0.0, 15, "CTV"),
                D("{p} Katsu Curry", "Panko-fried cutlet, Japanese curry, rice", 540, "Mains", {},
                  0.0, 16, "CT"),
                D("{p} Gyoza", "Pan-fried dumplings", 320, "Starters", {}, 0.2, 10, "CV"),
                D("Edamame", "Sea salt", 220, "Starters", {"vegan", "gluten-free"}, 0.3, 5),
                D("Miso Soup", "Tofu, wakame, scallion", 180, "Soups", {"vegan"}, 0.5, 4),
                D("Matcha Ice Cream", "Two scoops", 240, "Desserts", {"vegetarian"}, 1.0, 1),
                D("Iced Green Tea", "Unsweetened", 140, "Drinks", {"vegan"}, 0.7, 1)}});
  c.push_back(
      {"Thai",
       3,
       {"Bangkok", "Siam", "Lemongrass", "Basil", "Thai", "Orchid", "Chiang Mai", "Phuket"},
       {"Kitchen", "Street", "House", "Bistro", "Express"},
       {"thai", "asian", "spicy"},
       {D("Green Curry with {p}", "Coconut milk, Thai basil, jasmine rice", 420, "Mains",
          {"spicy", "gluten-free"}, 0.1, 14, "VCTS"),
        D("Red Curry with {p}", "Coconut milk, bamboo shoots, rice", 420, "Mains",
          {"spicy", "gluten-free"}, 0.1, 14, "VCT"),
        D("Pad Thai {p}", "Rice noodles, tamarind, peanuts", 380, "Noodles", {"contains-nuts"},
          0.05, 12, "VCSE"),
        D("Tom Yum Soup", "Hot and sour lemongrass broth", 260, "Soups", {"spicy", "gluten-free"},
          0.4, 8),
        D("Som Tam", "Raw papaya salad", 280, "Salads", {"vegan", "spicy", "contains-nuts"}, 0.1,
          8),
        D("Chicken Satay", "Peanut sauce", 320, "Starters", {"contains-nuts"}, 0.1, 12),
        D("Basil Fried Rice {p}", "Holy basil, chilli, garlic", 340, "Rice", {"spicy"}, 0.05, 10,
          "VC"),
        D("Mango Sticky Rice", "Coconut cream", 260, "Desserts", {"vegan", "gluten-free"}, 0.6, 3),
        D("Thai Iced Tea", "Condensed milk", 160, "Drinks", {"vegetarian"}, 0.5, 2)}});
  c.push_back(
      {"Mexican",
       2,
       {"El", "La", "Taco", "Burrito", "Casa", "Cantina", "Salsa", "Agave"},
       {"Cantina", "Taqueria", "Mexicana", "Grill", "Kitchen"},
       {"mexican", "tex-mex"},
       {D("{p} Burrito", "Rice, beans, salsa, sour cream", 320, "Mains", {}, 0.05, 10, "VCP"),
        D("{p} Tacos", "Three soft tacos, pico de gallo", 300, "Mains", {}, 0.05, 10, "VCF"),
        D("{p} Quesadilla", "Grilled tortilla, melted cheese", 290, "Mains", {}, 0.05, 9, "VCP"),
        D("Burrito Bowl {p}", "No tortilla, extra greens", 340, "Bowls", {"gluten-free"}, 0.05, 10,
          "VC"),
        D("Nachos Grande", "Cheese, jalapenos, guacamole", 280, "Starters", {"vegetarian", "spicy"},
          0.1, 8),
        D("Guacamole and Chips", "Fresh avocado, lime", 240, "Sides", {"vegan", "gluten-free"}, 0.3,
          5),
        D("Churros", "Cinnamon sugar, chocolate dip", 200, "Desserts", {"vegetarian"}, 0.4, 6),
        D("Horchata", "Rice and cinnamon drink", 150, "Drinks", {"vegan"}, 0.7, 2)}});
  c.push_back({"Mediterranean",
               2,
               {"Olive", "Aegean", "Beirut", "Falafel", "Levant", "Cedar", "Istanbul", "Athena"},
               {"Grill", "Kitchen", "Mezze Bar", "House", "Kebab House"},
               {"mediterranean", "middle-eastern", "healthy"},
               {D("{p} Shawarma Roll", "Garlic toum, pickles, pita", 220, "Wraps", {"halal"}, 0.05,
                  8, "CM"),
                D("Falafel Wrap", "Tahini, salad, pickles", 200, "Wraps", {"vegan"}, 0.05, 8),
                D("{p} Shawarma Platter", "With rice, hummus and salad", 360, "Mains", {"halal"},
                  0.05, 12, "CM"),
                D("Hummus with Pita", "Olive oil, paprika", 220, "Starters", {"vegan"}, 0.4, 4),
                D("Baba Ganoush", "Smoked aubergine dip", 230, "Starters", {"vegan", "gluten-free"},
                  0.4, 4),
                D("Fattoush", "Crisp pita, sumac salad", 260, "Salads", {"vegan"}, 0.2, 6),
                D("Lamb Kofta", "Grilled with tzatziki", 420, "Mains", {"halal"}, 0.1, 15),
                D("Baklava", "Filo, pistachio, honey", 180, "Desserts",
                  {"vegetarian", "contains-nuts"}, 1.0, 1),
                D("Mint Lemonade", "Fresh mint and lime", 120, "Drinks", {"vegan"}, 0.6, 2)}});
  c.push_back(
      {"Korean",
       2,
       {"Seoul", "Kimchi", "Gangnam", "Bibim", "Hanok", "K-"},
       {"Kitchen", "BBQ", "Table", "Pocha", "House"},
       {"korean", "asian"},
       {D("{p} Bibimbap", "Rice bowl, vegetables, gochujang, egg", 420, "Bowls", {"spicy"}, 0.05,
          12, "VCT"),
        D("Korean Fried Chicken", "Double-fried, yangnyeom glaze", 460, "Mains", {"spicy"}, 0.05,
          15),
        D("Tteokbokki", "Rice cakes in spicy sauce", 320, "Starters", {"vegetarian", "spicy"}, 0.2,
          10),
        D("Kimchi Fried Rice", "With fried egg", 340, "Rice", {"spicy"}, 0.05, 10),
        D("{p} Japchae", "Glass noodles, vegetables", 360, "Noodles", {}, 0.1, 10, "VC"),
        D("Kimchi", "House-fermented", 120, "Sides", {"vegan", "spicy"}, 1.0, 1),
        D("Bingsu", "Shaved milk ice, red bean", 320, "Desserts", {"vegetarian"}, 0.1, 5)}});
  c.push_back(
      {"Cafe",
       5,
       {"Third Wave", "Brew", "Bean", "Roast", "Daily", "Blue", "Corner", "Artisan", "Kaapi",
        "Morning"},
       {"Cafe", "Coffee", "Roasters", "Coffee House", "Espresso Bar"},
       {"cafe", "coffee", "breakfast", "bakery"},
       {D("Cappuccino", "Double shot, steamed milk", 180, "Coffee", {"vegetarian", "bestseller"},
          0.0, 4),
        D("Cold Brew", "Steeped 18 hours", 220, "Coffee", {"vegan"}, 0.7, 1),
        D("Cafe Latte", "Double shot, silky milk", 190, "Coffee", {"vegetarian"}, 0.0, 4),
        D("Hot Chocolate", "Dark chocolate, milk", 200, "Drinks", {"vegetarian"}, 0.0, 4),
        D("Avocado Toast", "Sourdough, chilli flakes, seeds", 320, "Breakfast", {"vegan"}, 0.05, 8),
        D("Eggs Benedict", "Hollandaise, English muffin", 360, "Breakfast", {}, 0.0, 12),
        D("{p} Croissant Sandwich", "Butter croissant, cheese", 260, "Bakery", {}, 0.6, 5, "VCE"),
        D("Blueberry Muffin", "Baked this morning", 140, "Bakery", {"vegetarian"}, 1.0, 1),
        D("Banana Bread", "With walnuts", 160, "Bakery", {"vegetarian", "contains-nuts"}, 1.0, 1),
        D("New York Cheesecake", "Baked, berry compote", 280, "Desserts", {"vegetarian"}, 1.0, 1),
        D("Granola Bowl", "Yogurt, fruit, honey", 260, "Breakfast", {"vegetarian", "contains-nuts"},
          0.3, 4)}});
  c.push_back(
      {"Desserts",
       3,
       {"Sugar", "Sweet", "Cocoa", "Frozen", "Scoop", "Cake", "Honey", "Velvet"},
       {"Bakery", "Creamery", "Patisserie", "Sweets", "Dessert Bar"},
       {"desserts", "ice-cream", "bakery"},
       {D("Belgian Chocolate Waffle", "Dark and milk chocolate", 220, "Waffles", {"vegetarian"},
          0.0, 8),
        D("Red Velvet Pastry", "Cream cheese frosting", 150, "Cakes", {"vegetarian"}, 1.0, 1),
        D("Chocolate Truffle Cake (500 g)", "Rich ganache", 650, "Cakes", {"vegetarian"}, 1.0, 1),
        D("Death by Chocolate", "Brownie, ice cream, fudge", 280, "Sundaes",
          {"vegetarian", "contains-nuts"}, 0.1, 5),
        D("Tender Coconut Ice Cream", "Two scoops", 160, "Ice Cream", {"vegetarian"}, 1.0, 1),
        D("Alphonso Mango Ice Cream", "Two scoops", 170, "Ice Cream", {"vegetarian"}, 1.0, 1),
        D("Vegan Dark Chocolate Sorbet", "Dairy-free", 180, "Ice Cream", {"vegan", "gluten-free"},
          1.0, 1),
        D("Cold Coffee", "Blended with ice cream", 180, "Drinks", {"vegetarian"}, 0.1, 4)}});
  c.push_back(
      {"Healthy",
       3,
       {"Green", "Fresh", "Lean", "Fit", "Leaf", "Bowl", "Nourish", "Sprout"},
       {"Bowls", "Salads", "Kitchen", "Eats", "Co."},
       {"healthy", "salads", "low-calorie"},
       {D("{p} Power Bowl", "Quinoa, greens, roasted vegetables", 340, "Bowls", {"gluten-free"},
          0.2, 8, "CTP"),
        D("Greek Salad", "Feta, olives, cucumber", 280, "Salads", {"vegetarian", "gluten-free"},
          0.3, 6),
        D("Caesar Salad with {p}", "Romaine, parmesan, croutons", 320, "Salads", {}, 0.3, 6, "VC"),
        D("Grilled Chicken Breast", "With sauteed vegetables", 380, "Mains",
          {"gluten-free", "high-protein"}, 0.1, 14),
        D("Millet Khichdi", "Foxtail millet, moong dal", 240, "Mains", {"vegan", "gluten-free"},
          0.5, 6),
        D("Sprouts Chaat", "Lemon, chaat masala", 180, "Starters", {"vegan"}, 0.5, 4),
        D("Cold-Pressed Juice", "Beetroot, carrot, ginger", 180, "Drinks", {"vegan", "gluten-free"},
          1.0, 1),
        D("Protein Smoothie", "Peanut butter, banana, whey", 240, "Drinks",
          {"vegetarian", "high-protein", "contains-nuts"}, 0.0, 4),
        D("Chia Pudding", "Coconut milk, mango", 200, "Desserts", {"vegan", "gluten-free"}, 1.0,
          1)}});
  c.push_back(
      {"Street Food",
       5,
       {"Chaat", "Bombay", "Mumbai", "Gali", "Chowpatty", "Tapri", "Kolkata", "Nukkad"},
       {"Chaat House", "Junction", "Corner", "Street", "Bhel House", "Stall"},
       {"street-food", "chaat", "budget"},
       {D("Pani Puri", "Eight puris, tangy mint water", 60, "Chaat", {"vegan", "spicy"}, 0.3, 4),
        D("Masala Puri", "Crushed puri in hot peas gravy", 70, "Chaat", {"vegetarian", "spicy"},
          0.3, 4),
        D("Dahi Puri", "Puris with yogurt and chutneys", 80, "Chaat", {"vegetarian"}, 0.3, 4),
        D("Pav Bhaji", "Buttery mashed vegetable curry, two pav", 140, "Mains",
          {"vegetarian", "bestseller"}, 0.5, 6),
        D("Vada Pav", "Potato fritter in a bun, garlic chutney", 50, "Snacks", {"vegan", "spicy"},
          0.5, 3),
        D("Samosa", "Two, with chutney", 40, "Snacks", {"vegan"}, 0.8, 2),
        D("{p} Kathi Roll", "Paratha roll, onions, green chutney", 150, "Rolls", {}, 0.2, 8,
          "PCEM"),
        D("{p} Frankie", "Mumbai-style wrap", 130, "Rolls", {}, 0.2, 8, "VC"),
        D("Jalebi", "Crisp and syrupy, 200 g", 80, "Desserts", {"vegetarian"}, 0.9, 1),
        D("Masala Chai", "Ginger and cardamom", 30, "Drinks", {"vegetarian"}, 0.3, 3)}});
  c.push_back(
      {"Kerala",
       2,
       {"Malabar", "Kerala", "Kochi", "Calicut", "Travancore", "Kappa", "Nadan"},
       {"Kitchen", "Mess", "Hotel", "Restaurant", "Kadai"},
       {"kerala", "seafood", "south-indian"},
       {D("Kerala Parotta", "Flaky layered flatbread", 40, "Breads", {"vegetarian"}, 0.1, 5),
        D("Appam with Stew", "Lace hoppers, vegetable stew", 160, "Breakfast", {"vegetarian"}, 0.1,
          8),
        D("Malabar {p} Biryani", "Short-grain kaima rice, ghee", 300, "Biryani", {"halal"}, 0.5, 8,
          "CMSF"),
        D("{p} Roast", "Dry roast with coconut slivers", 280, "Mains", {"spicy"}, 0.3, 14, "CMEF"),
        D("Meen Curry", "Fish in kudampuli gravy", 320, "Mains", {"spicy", "gluten-free"}, 0.3, 14),
        D("Kappa and Fish Curry", "Tapioca with spicy fish", 260, "Mains", {"spicy"}, 0.3, 10),
        D("Avial", "Mixed vegetables, coconut, curd", 160, "Sides", {"vegetarian", "gluten-free"},
          0.6, 4),
        D("Payasam", "Jaggery and coconut milk", 90, "Desserts", {"vegan"}, 0.8, 2),
        D("Sulaimani Tea", "Black tea, lemon, spices", 40, "Drinks", {"vegan"}, 0.3, 3)}});
  return c;
}

}  // namespace

const std::vector<Protein>& protein_table() {
  static const std::vector<Protein> t = {
      {'P', "Paneer", -20, {"vegetarian"}},        {'C', "Chicken", 0, {"non-veg", "halal"}},
      {'M', "Mutton", 90, {"non-veg", "halal"}},   {'V', "Veg", -50, {"vegetarian", "vegan"}},
      {'S', "Prawn", 120, {"non-veg", "seafood"}}, {'E', "Egg", -40, {"egg"}},
      {'F', "Fish", 60, {"non-veg", "seafood"}},   {'T', "Tofu", -20, {"vegetarian", "vegan"}},
  };
  return t;
}

const std::vector<DishTemplate>& shared_drinks_and_desserts() {
  static const std::vector<DishTemplate> t = {
      D("Mineral Water", "1 litre bottle", 30, "Drinks", {"vegan"}, 1.0, 1),
      D("Fresh Lime Soda", "Sweet or salted", 80, "Drinks", {"vegan"}, 0.2, 3),
      D("Watermelon Juice", "Fresh, no added sugar", 110, "Drinks", {"vegan", "gluten-free"}, 0.3,
        3),
      D("Vanilla Ice Cream", "Two scoops", 100, "Desserts", {"vegetarian"}, 1.0, 1),
      D("Chocolate Brownie", "Fudgy, walnut", 120, "Desserts", {"vegetarian", "contains-nuts"}, 1.0,
        1),
  };
  return t;
}

const std::vector<Cuisine>& cuisines() {
  static const std::vector<Cuisine> c = make_cuisines();
  return c;
}

const std::vector<std::string>& category_order() {
  static const std::vector<std::string> o = {
      "Breakfast", "Starters", "Soups",     "Chaat",    "Snacks", "Sushi",  "Pizzas",
      "Burgers",   "Wraps",    "Rolls",     "Bowls",    "Salads", "Mains",  "Biryani",
      "Pasta",     "Noodles",  "Rice",      "Breads",   "Sides",  "Bakery", "Cakes",
      "Waffles",   "Sundaes",  "Ice Cream", "Desserts", "Coffee", "Drinks"};
  return o;
}

const std::vector<City>& cities() {
  static const std::vector<City> c = {
      {"bengaluru",
       "Bengaluru",
       12.9716,
       77.5946,
       "Asia/Kolkata",
       "INR",
       100,
       1000,
       "+91 80 ",
       "KA",
       {{"MG Road", 12.9756, 77.6050, 3},
        {"Indiranagar", 12.9784, 77.6408, 3},
        {"Koramangala", 12.9352, 77.6245, 3.5},
        {"Jayanagar", 12.9250, 77.5938, 2},
        {"HSR Layout", 12.9116, 77.6474, 2},
        {"BTM Layout", 12.9166, 77.6101, 2},
        {"Malleshwaram", 13.0035, 77.5709, 1.5},
        {"Basavanagudi", 12.9420, 77.5737, 1.2},
        {"Rajajinagar", 12.9910, 77.5550, 1.2},
        {"Marathahalli", 12.9591, 77.6974, 1.5},
        {"Hebbal", 13.0358, 77.5970, 1},
        {"JP Nagar", 12.9063, 77.5857, 1.5},
        {"Banashankari", 12.9255, 77.5468, 1},
        {"Frazer Town", 12.9987, 77.6145, 1},
        {"Yeshwanthpur", 13.0280, 77.5400, 0.8},
        {"Bellandur", 12.9260, 77.6762, 1.2}}},
      {"san-francisco",
       "San Francisco",
       37.7749,
       -122.4194,
       "America/Los_Angeles",
       "USD",
       3.5,
       50,
       "+1 415 ",
       "CA",
       {{"Mission", 37.7599, -122.4148, 3},
        {"SoMa", 37.7785, -122.4056, 2.5},
        {"North Beach", 37.8061, -122.4103, 2},
        {"Chinatown", 37.7941, -122.4078, 2},
        {"Hayes Valley", 37.7759, -122.4245, 1.5},
        {"Castro", 37.7609, -122.4350, 1.2},
        {"Marina", 37.8037, -122.4368, 1.2},
        {"Richmond", 37.7802, -122.4826, 1.2},
        {"Sunset", 37.7534, -122.4893, 1},
        {"Nob Hill", 37.7930, -122.4161, 1},
        {"Dogpatch", 37.7577, -122.3880, 0.8},
        {"Noe Valley", 37.7502, -122.4337, 0.8}}},
  };
  return c;
}

const City* find_city(std::string_view key) {
  std::string k;
  for (char ch : key) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    k.push_back(l == ' ' || l == '_' ? '-' : l);
  }
  if (k == "bangalore") k = "bengaluru";
  if (k == "sf") k = "san-francisco";
  for (const auto& c : cities()) {
    if (c.key == k) return &c;
  }
  return nullptr;
}

const std::vector<std::string>& first_names() {
  static const std::vector<std::string> n = {
      "Aarav", "Priya",   "Rohan",   "Ananya", "Vikram", "Divya",    "Arjun",     "Kavya",
      "Rahul", "Sneha",   "Karthik", "Meera",  "Aditya", "Pooja",    "Siddharth", "Neha",
      "Manoj", "Lakshmi", "Suresh",  "Deepa",  "Imran",  "Fatima",   "Joseph",    "Mary",
      "Chen",  "Mei",     "Carlos",  "Sofia",  "James",  "Emma",     "Liam",      "Olivia",
      "Noah",  "Ava",     "Ethan",   "Mia",    "Lucas",  "Isabella", "Omar",      "Aisha"};
  return n;
}

const std::vector<std::string>& last_names() {
  static const std::vector<std::string> n = {
      "Sharma",  "Iyer",     "Reddy", "Nair",   "Rao",    "Gowda",  "Menon",  "Patel",
      "Singh",   "Kumar",    "Hegde", "Shetty", "Pillai", "Das",    "Khan",   "Fernandes",
      "D'Souza", "Joshi",    "Mehta", "Bhat",   "Smith",  "Garcia", "Nguyen", "Johnson",
      "Lee",     "Martinez", "Brown", "Wong",   "Lopez",  "Kim"};
  return n;
}

}  // namespace se::seed
